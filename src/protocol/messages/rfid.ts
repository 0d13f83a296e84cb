/**
 * The RFID family: rfid-verify (CPO -> hub -> EMP: may this card charge?) and rfid-post
 * (EMP/OEM -> hub -> CPO: the sender's complete whitelist). docs/calls/rfid_verify.rst, rfid_post.rst.
 * UIDs are read leniently (lower case, too short) and always handled upper-case and padded.
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { EvcoId, PartnerIdentifier, Uid, isRecord } from './common.js';
import { readUid, successResponse } from './call-parts.js';

export const rfidVerify = defineCall({
  name: 'rfid-verify',
  roles: ['cpo'],
  request: Type.Object({ rfid: Uid }),
  // `evco-id` is optional even on success: an offline whitelist may know the UID but not its contract.
  response: successResponse({ 'evco-id': Type.Optional(EvcoId) }, []),
  normalizeRequest(payload) {
    payload.rfid = readUid(payload.rfid);
    return payload;
  },
});

/** A whitelist is replaced whole on every post, so it may be long. */
export const RFID_LIST_MAX = 1_000_000;

export const rfidPost = defineCall({
  name: 'rfid-post',
  roles: ['emp', 'oem'],
  request: Type.Object({
    rfids: Type.Array(Uid, { maxItems: RFID_LIST_MAX }),
    'partner-identifier': PartnerIdentifier,
  }),
  response: successResponse({
    rfid: Type.Optional(Type.Object({ processed: Type.Integer({ minimum: 0 }) })),
  }, []),
  normalizeRequest(payload) {
    if (Array.isArray(payload.rfids)) payload.rfids = payload.rfids.map(readUid);
    return payload;
  },
  // The field list names `processed` on its own, the example nests it under `rfid`: read both.
  normalizeResponse(body) {
    if ('processed' in body && body.rfid === undefined) body.rfid = { processed: body.processed };
    if (isRecord(body.rfid)) delete body.processed;
    return body;
  },
});

export const rfidCalls = {
  'rfid-verify': rfidVerify,
  'rfid-post': rfidPost,
} as const;

export type RfidVerify = Static<typeof rfidVerify.request>;
export type RfidVerifyResponse = Static<typeof rfidVerify.response>;
export type RfidPost = Static<typeof rfidPost.request>;
export type RfidPostResponse = Static<typeof rfidPost.response>;
