/**
 * The session family: session-post (a CDR, CPO -> hub -> EMP/fleet) and remote start/stop
 * (EMP/OEM -> hub -> CPO). docs/calls/session_post.rst, session_start.rst, session_stop.rst.
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { DateTime, EvseId, PartnerIdentifier, isRecord, response } from './common.js';
import { ConnectorRef, Currency, Nullable, Text, UserIdentifier, normalizeConnectorRef, normalizeUserOf, successResponse } from './call-parts.js';

/** A session id: chosen by whoever owns the session (the CPO for CDRs), globally unique. */
export const SessionId = Type.String({ minLength: 1, maxLength: 255, errorMessage: 'not a valid session id (1 to 255 characters)' });

export const SessionInterval = Type.Object({ start: DateTime, stop: Type.Optional(DateTime) });
export const ChargingInterval = Type.Object({ start: DateTime, stop: DateTime });

export const sessionPost = defineCall({
  name: 'session-post',
  roles: ['cpo'],
  request: Type.Object({
    user: UserIdentifier,
    'session-id': SessionId,
    'connector-id': EvseId,
    // `stop` may be missing while the session runs; a later post completes the record.
    'session-interval': SessionInterval,
    'charging-interval': Type.Optional(ChargingInterval),
    'energy-consumed': Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
    'calculated-cost': Type.Optional(Type.Object({
      amount: Type.Number({ minimum: 0, maximum: 1_000_000 }),
      currency: Currency,
    })),
    'partner-identifier': PartnerIdentifier,
  }),
  response: response({ reason: Nullable(Text(4096)) }),
  normalizeRequest: normalizeUserOf,
});

/** Reads `connector-id` given as a JSON number, and an RFID `user.identifier`. */
function normalizeRemote(payload: Record<string, any>): Record<string, any> {
  normalizeUserOf(payload);
  if ('connector-id' in payload) payload['connector-id'] = normalizeConnectorRef(payload['connector-id']);
  return payload;
}

/**
 * The spec's field list puts `session-id` and `is-stoppable` beside `result`, its example nests
 * them under `session-start`; both are read, the nested form is emitted.
 */
function liftStartFields(body: Record<string, any>): Record<string, any> {
  const moved = ['session-id', 'is-stoppable'].filter((k) => k in body);
  if (moved.length === 0 || (body['session-start'] !== undefined && !isRecord(body['session-start']))) return body;
  const nested: Record<string, any> = body['session-start'] ?? {};
  for (const k of moved) {
    if (nested[k] === undefined) nested[k] = body[k];
    delete body[k];
  }
  body['session-start'] = nested;
  return body;
}

export const sessionStart = defineCall({
  name: 'session-start',
  roles: ['emp', 'oem'],
  request: Type.Object({
    user: UserIdentifier,
    'connector-id': ConnectorRef,
    'payment-reference': Type.Optional(Text(255)),
  }),
  // Payload only when the CPO can tell how to stop the session; a bare `result` is a full answer.
  response: successResponse({
    'session-start': Type.Optional(Type.Object({
      'session-id': Type.Optional(SessionId),
      'is-stoppable': Type.Optional(Type.Boolean()),
    })),
  }, []),
  normalizeRequest: normalizeRemote,
  normalizeResponse: liftStartFields,
});

export const sessionStop = defineCall({
  name: 'session-stop',
  roles: ['emp', 'oem'],
  request: Type.Object({
    user: UserIdentifier,
    'connector-id': ConnectorRef,
    'session-id': Type.Optional(SessionId),
  }),
  response: response(),
  normalizeRequest: normalizeRemote,
});

export const sessionCalls = {
  'session-post': sessionPost,
  'session-start': sessionStart,
  'session-stop': sessionStop,
} as const;

export type SessionPost = Static<typeof sessionPost.request>;
export type SessionPostResponse = Static<typeof sessionPost.response>;
export type SessionStart = Static<typeof sessionStart.request>;
export type SessionStartResponse = Static<typeof sessionStart.response>;
export type SessionStop = Static<typeof sessionStop.request>;
