/**
 * Turns a presented API key into the partner it belongs to, from an in-memory copy of the
 * active keys that follows the storage: it reloads when another process commits (the CLI adding
 * a partner or revoking a key), checked every `refreshMs` (default 250 ms, well under the one
 * second shared/cli.md promises).
 */
import type { Principal } from '../../transport/server/index.js';
import type { PartnerRecord, Storage } from '../../storage/index.js';
import { timingSafeEqual } from 'node:crypto';
import { parseApiKey, secretMatches } from './api-keys.js';

export interface Authenticator {
  authenticate(apiKey: string): Principal | undefined;
  /** The partner record behind a partner id, from the same cache. */
  partner(id: number): PartnerRecord | undefined;
  /** Every partner, from the cache. */
  partners(): PartnerRecord[];
  /** The partner that owns a partner identifier. */
  partnerByIdentifier(identifier: string): PartnerRecord | undefined;
  /** Reloads now (after the hub itself changed partners). */
  reload(): Promise<void>;
  stop(): void;
}

/** Starts the cache. Example: `const auth = await startAuthenticator(storage); auth.authenticate(key)`. */
export async function startAuthenticator(storage: Storage, { refreshMs = 250 } = {}): Promise<Authenticator> {
  let keys = new Map<string, { hash: string; partnerId: number }>();
  let partners = new Map<number, PartnerRecord>();
  let byIdentifier = new Map<string, PartnerRecord>();
  /** Keys that matched since the last reload: the secret that matched and the principal it gave. */
  let matched = new Map<string, { secret: Buffer; principal: Principal }>();
  let token = '';

  async function reload(): Promise<void> {
    const nextToken = await storage.changeToken();
    const [list, active] = await Promise.all([storage.partners.list(), storage.partners.activeKeys()]);
    partners = new Map(list.map((p) => [p.id, p]));
    byIdentifier = new Map(list.flatMap((p) => p.partnerIdentifiers.map((i) => [i, p] as const)));
    keys = new Map(active.map((k) => [k.id, { hash: k.secretHash, partnerId: k.partnerId }]));
    matched = new Map();
    token = nextToken;
  }
  await reload();

  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      if ((await storage.changeToken()) !== token) await reload();
    } catch {
      // storage briefly unavailable: keep serving from the last good copy
    } finally {
      busy = false;
    }
  }, refreshMs);
  timer.unref();

  return {
    authenticate(apiKey) {
      const parsed = parseApiKey(apiKey);
      if (!parsed) return undefined;
      const key = keys.get(parsed.id);
      if (!key) return undefined;
      // A secret that matched once is kept (until the next reload) and compared in constant time:
      // a SHA-256 per request was a visible share of a status post's CPU.
      const presented = Buffer.from(parsed.secret);
      const known = matched.get(parsed.id);
      if (known && known.secret.length === presented.length && timingSafeEqual(known.secret, presented)) return known.principal;
      if (!secretMatches(parsed.secret, key.hash)) return undefined;
      const p = partners.get(key.partnerId);
      if (!p) return undefined;
      const principal: Principal = Object.freeze({ partnerId: String(p.id), name: p.name, roles: p.roles, partnerIdentifiers: p.partnerIdentifiers, keyId: parsed.id });
      matched.set(parsed.id, { secret: presented, principal });
      return principal;
    },
    partner: (id) => partners.get(id),
    partners: () => [...partners.values()],
    partnerByIdentifier: (identifier) => byIdentifier.get(identifier),
    reload,
    stop: () => clearInterval(timer),
  };
}
