/** vehicle-get-all: the electric vehicles the platform knows, for filtering by plug (docs/calls/vehicle_get_all.rst). */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { ConnectorType, response } from './common.js';
import { Name } from './user-common.js';

export const Vehicle = Type.Object({
  id: Type.Integer(),
  brand: Name,
  model: Name,
  /** Highest charging power in kW. */
  'max-speed': Type.Number({ minimum: 0 }),
  'connector-types': Type.Array(ConnectorType, { maxItems: 32 }),
});
export type Vehicle = Static<typeof Vehicle>;

export const vehicleGetAll = defineCall({
  name: 'vehicle-get-all',
  roles: ['emp', 'oem'],
  // The request has no fields; `{}` is the whole payload.
  request: Type.Object({}),
  // Unlike most user calls, the list sits under the call's own name.
  response: response({
    'vehicle-get-all': Type.Optional(Type.Object({ vehicles: Type.Array(Vehicle, { maxItems: 10000 }) })),
  }),
});

export const vehicleCalls = { 'vehicle-get-all': vehicleGetAll } as const;
