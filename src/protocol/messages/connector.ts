/** connector-post-status: a CPO sets the status of every connector with one EVSE ID (docs/calls/connector_post_status.rst). */
import Type from 'typebox';
import { defineCall } from '../registry-types.js';
import { ConnectorStatus, EvseId, PartnerIdentifier, response } from './common.js';

export const connectorPostStatus = defineCall({
  name: 'connector-post-status',
  roles: ['cpo'],
  request: Type.Object({
    'connector-id': EvseId,
    status: ConnectorStatus,
    'partner-identifier': PartnerIdentifier,
  }),
  response: response(),
});

export const connectorCalls = { 'connector-post-status': connectorPostStatus } as const;
