import type { TSchema } from 'typebox';

/** The roles a partner can hold at a hub (shared/protocol.md, "Parties"). */
export type Role = 'cpo' | 'emp' | 'oem' | 'fleet';
export const roles: readonly Role[] = ['cpo', 'emp', 'oem', 'fleet'];

/**
 * One OIOI call: its name, the schema of its payload (the value under the call key), the schema
 * of its response (the top-level object beside and including `result`), and who may send it to
 * a hub (`'*'`: anyone with a valid key).
 */
export interface CallDefinition<Req extends TSchema = TSchema, Res extends TSchema = TSchema> {
  readonly name: string;
  readonly request: Req;
  readonly response: Res;
  readonly roles: readonly Role[] | '*';
  /**
   * Lenient reading of a request payload before validation: receives a private deep copy and
   * returns the normalized value (shared/protocol.md, "Lenient reading").
   */
  readonly normalizeRequest?: (payload: any) => unknown;
  /** The same for a response body (result codes as strings are handled for every call). */
  readonly normalizeResponse?: (body: any) => unknown;
  /** Whether the payload carries `partner-identifier` (checked against the sender's key). */
  readonly hasPartnerIdentifier: boolean;
}

/**
 * Declares a call. Example:
 * `export const connectorPostStatus = defineCall({ name: 'connector-post-status', request, response, roles: ['cpo'] })`
 */
export function defineCall<Req extends TSchema, Res extends TSchema>(def: Omit<CallDefinition<Req, Res>, 'hasPartnerIdentifier'>): CallDefinition<Req, Res> {
  const props = (def.request as { properties?: Record<string, unknown> }).properties ?? {};
  return Object.freeze({ ...def, hasPartnerIdentifier: 'partner-identifier' in props });
}
