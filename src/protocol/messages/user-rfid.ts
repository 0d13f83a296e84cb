/**
 * A driver's charging keys: add, block and unblock an RFID card, (de)activate a key by EVCO ID,
 * list the keys (docs/calls/user_add_rfid.rst, user_block_rfid, user_unblock_rfid,
 * user_charging_key_activate, user_charging_key_deactivate, user_get_charging_keys).
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { defaultMessage } from '../result-codes.js';
import { EvcoId, Uid, isRecord, response } from './common.js';
import { LIST_MAX, UserOnlyRequest, UserRef, lenientUid, normalizeUserPayload, normalizeUserRef } from './user-common.js';

const RfidRequest = Type.Object({ user: UserRef, rfid: Uid });
const EvcoRequest = Type.Object({ user: UserRef, 'evco-id': EvcoId });

/** UIDs arrive lower-case or without their leading zeros; both name the same card. */
function normalizeRfidPayload(p: any): unknown {
  if (!isRecord(p)) return p;
  normalizeUserRef(p.user);
  if (p.rfid !== undefined) p.rfid = lenientUid(p.rfid);
  return p;
}

export const ChargingKey = Type.Object({ uid: Uid, 'evco-id': EvcoId });
export type ChargingKey = Static<typeof ChargingKey>;

export const userAddRfid = defineCall({
  name: 'user-add-rfid',
  roles: ['emp', 'oem'],
  request: RfidRequest,
  response: response(),
  normalizeRequest: normalizeRfidPayload,
});

export const userBlockRfid = defineCall({
  name: 'user-block-rfid',
  roles: ['emp', 'oem'],
  request: RfidRequest,
  response: response(),
  normalizeRequest: normalizeRfidPayload,
});

export const userUnblockRfid = defineCall({
  name: 'user-unblock-rfid',
  roles: ['emp', 'oem'],
  request: RfidRequest,
  response: response({ 'user-unblock-rfid': Type.Optional(Type.Object({ success: Type.Boolean() })) }),
  normalizeRequest: normalizeRfidPayload,
  // The page's example answers `{"user-unblock-rfid": {"success": true}}` without the `result`
  // every answer must carry; the flag stands in for it, and a false one is never read as 0.
  normalizeResponse: (body) => {
    const inner = isRecord(body) ? body['user-unblock-rfid'] : undefined;
    if (!isRecord(inner) || typeof inner.success !== 'boolean') return body;
    if (!isRecord(body.result)) body.result = { code: 0, message: defaultMessage(0) };
    if (inner.success === false && body.result.code === 0) body.result = { code: 100, message: defaultMessage(100) };
    return body;
  },
});

export const userChargingKeyActivate = defineCall({
  name: 'user-charging-key-activate',
  roles: ['emp', 'oem'],
  request: EvcoRequest,
  response: response(),
  normalizeRequest: normalizeUserPayload,
});

export const userChargingKeyDeactivate = defineCall({
  name: 'user-charging-key-deactivate',
  roles: ['emp', 'oem'],
  request: EvcoRequest,
  response: response(),
  normalizeRequest: normalizeUserPayload,
});

export const userGetChargingKeys = defineCall({
  name: 'user-get-charging-keys',
  roles: ['emp', 'oem'],
  request: UserOnlyRequest,
  response: response({
    user: Type.Optional(Type.Object({ 'charging-keys': Type.Array(ChargingKey, { maxItems: LIST_MAX }) })),
  }),
  normalizeRequest: normalizeUserPayload,
  normalizeResponse: (body) => {
    const keys = isRecord(body) && isRecord(body.user) ? body.user['charging-keys'] : undefined;
    if (Array.isArray(keys)) for (const k of keys) if (isRecord(k) && k.uid !== undefined) k.uid = lenientUid(k.uid);
    return body;
  },
});

export const userRfidCalls = {
  'user-add-rfid': userAddRfid,
  'user-block-rfid': userBlockRfid,
  'user-unblock-rfid': userUnblockRfid,
  'user-charging-key-activate': userChargingKeyActivate,
  'user-charging-key-deactivate': userChargingKeyDeactivate,
  'user-get-charging-keys': userGetChargingKeys,
} as const;
