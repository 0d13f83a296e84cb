/**
 * Reservations, EMP/OEM -> hub -> CPO: reservation-start holds a connector for a customer,
 * reservation-stop releases it. docs/calls/reservation_start.rst, reservation_stop.rst.
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { DateTime, EvcoId, Uid, isRecord, response } from './common.js';
import { ConnectorRef, Text, identifierChecks, readUid, normalizeConnectorRef, normalizeIdentifierPair, successResponse } from './call-parts.js';

/** Who holds the reservation: a contract, and the card the driver will present when known. */
export const ReservationIdentifier = Type.Object({
  'evco-id': EvcoId,
  rfid: Type.Optional(Uid),
});

export const reservationStart = defineCall({
  name: 'reservation-start',
  roles: ['emp', 'oem'],
  request: Type.Object({
    'connector-id': ConnectorRef,
    identifier: Type.Array(ReservationIdentifier, { minItems: 1, maxItems: 100 }),
  }),
  // On success the answer says when the reservation window closes.
  response: successResponse({
    'reservation-start': Type.Optional(Type.Object({ end: DateTime })),
  }, ['reservation-start']),
  normalizeRequest(payload) {
    payload['connector-id'] = normalizeConnectorRef(payload['connector-id']);
    if (Array.isArray(payload.identifier)) {
      for (const id of payload.identifier) if (isRecord(id) && 'rfid' in id) id.rfid = readUid(id.rfid);
    }
    return payload;
  },
});

export const reservationStopTypes = ['evco-id', 'rfid'] as const;

export const reservationStop = defineCall({
  name: 'reservation-stop',
  roles: ['emp', 'oem'],
  request: Type.Object(
    {
      'identifier-type': Type.Enum(reservationStopTypes, { errorMessage: 'not an identifier type (evco-id, rfid)' }),
      identifier: Text(255, 1),
      // Not in the spec's field list: a sender may name the connector to disambiguate; read like
      // session-stop's (EVSE ID or hub id).
      'connector-id': Type.Optional(ConnectorRef),
    },
    { allOf: identifierChecks('identifier-type', 'identifier') },
  ),
  response: response(),
  normalizeRequest(payload) {
    normalizeIdentifierPair(payload);
    if ('connector-id' in payload) payload['connector-id'] = normalizeConnectorRef(payload['connector-id']);
    return payload;
  },
});

export const reservationCalls = {
  'reservation-start': reservationStart,
  'reservation-stop': reservationStop,
} as const;

export type ReservationStart = Static<typeof reservationStart.request>;
export type ReservationStartResponse = Static<typeof reservationStart.response>;
export type ReservationStop = Static<typeof reservationStop.request>;
