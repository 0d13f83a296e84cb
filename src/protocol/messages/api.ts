/**
 * api-minimum-version-number: the oldest client API version a hub still serves; anyone with a
 * valid key may ask (docs/calls/api-minimum-version-number.rst).
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { successResponse } from './call-parts.js';

/** A dotted version number (`4`, `3.3`, `3.3.3`). */
export const VersionNumber = Type.String({ pattern: '^[0-9]{1,6}(?:\\.[0-9]{1,6}){0,3}$', errorMessage: 'not a version number (like 4.0.0)' });

export const apiMinimumVersionNumber = defineCall({
  name: 'api-minimum-version-number',
  roles: '*',
  // The request carries nothing: an empty object.
  request: Type.Object({}),
  response: successResponse({
    'api-minimum-version-number': Type.Optional(Type.Object({ 'minimum-version': VersionNumber })),
  }, ['api-minimum-version-number']),
});

export const apiCalls = { 'api-minimum-version-number': apiMinimumVersionNumber } as const;

export type ApiMinimumVersionNumberResponse = Static<typeof apiMinimumVersionNumber.response>;
