/** Authentication header parsing and the default authorization rules (roles, partner identifiers). */
import { callDefinition, OioiError, type CallName } from '../../protocol/index.js';
import type { Principal } from './types.js';

/**
 * The API key of an `Authorization: key=<k>` header, or undefined (scheme matched case-insensitively).
 * Example: `apiKeyOf('key=abc') === 'abc'`.
 */
export function apiKeyOf(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 5) return undefined;
  // Fast path for the exact form every client sends; then a tolerant form (`Key = abc`).
  if (header.charCodeAt(3) === 61 /* = */ && header.startsWith('key')) {
    const k = header.slice(4).trim();
    return k === '' ? undefined : k;
  }
  const m = /^\s*key\s*=\s*(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Throws 403/220 when none of the principal's roles may send `call` (registry roles; '*' = anyone). */
export function checkRole(principal: Principal, call: CallName): void {
  const def = callDefinition(call);
  if (!def || def.roles === '*') return;
  for (const r of principal.roles) if (def.roles.includes(r)) return;
  throw new OioiError(220, `partner may not send ${call}`, { httpStatus: 403 });
}

/** Throws 403/211 when the payload's `partner-identifier` is not one this key may act for. */
export function checkPartnerIdentifier(principal: Principal, call: CallName, payload: any): void {
  if (!callDefinition(call)?.hasPartnerIdentifier) return;
  const pid = payload?.['partner-identifier'];
  if (pid === undefined) return; // optional in some calls; the schema decides whether it must be there
  if (!principal.partnerIdentifiers.includes(pid)) {
    throw new OioiError(211, 'partner-identifier is not one this API key may act for', { httpStatus: 403 });
  }
}

/**
 * The default authorization: registry roles (220), then the partner identifier (211).
 * Compose custom hooks with it. Example: `authorize: (p, c, x) => { defaultAuthorize(p, c, x); extra(p, c) }`.
 */
export function defaultAuthorize(principal: Principal, call: CallName, payload: any): void {
  checkRole(principal, call);
  checkPartnerIdentifier(principal, call, payload);
}
