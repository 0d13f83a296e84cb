/**
 * Local authorization of RFID cards: the whitelist the hub pushes (rfid-post, replaced whole) and
 * a cache of the hub's positive rfid-verify answers, both in the gateway's database so a restart
 * or a hub outage does not stop known drivers from charging.
 */
import { normalizeUid } from '../protocol/index.js';
import { getMeta, setMeta, type Db } from './store.js';

/**
 * Replaces the whitelist; returns how many UIDs were not in the previous one and the new list
 * version (OCPP SendLocalList wants a rising number).
 * Example: `replaceWhitelist(db, ['0123ABCD']) // { processed: 1, version: 1 }`.
 */
export function replaceWhitelist(db: Db, uids: readonly string[]): { processed: number; version: number } {
  return db.transaction(() => {
    const before = new Set(db.prepare('SELECT uid FROM whitelist').pluck().all() as string[]);
    const next = new Set(uids);
    let processed = 0;
    for (const uid of next) if (!before.has(uid)) processed++;
    db.prepare('DELETE FROM whitelist').run();
    const insert = db.prepare('INSERT INTO whitelist (uid) VALUES (?)');
    for (const uid of next) insert.run(uid);
    const version = whitelistVersion(db) + 1;
    setMeta(db, 'whitelist-version', String(version));
    return { processed, version };
  }).immediate();
}

/** The current list version, 0 before any rfid-post. */
export function whitelistVersion(db: Db): number {
  return Number(getMeta(db, 'whitelist-version') ?? 0);
}

/** Every whitelisted UID, sorted. */
export function whitelistUids(db: Db): string[] {
  return db.prepare('SELECT uid FROM whitelist ORDER BY uid').pluck().all() as string[];
}

/** Whether a UID is on the whitelist. Example: `isWhitelisted(db, '0123ABCD')`. */
export function isWhitelisted(db: Db, uid: string): boolean {
  return db.prepare('SELECT 1 FROM whitelist WHERE uid = ?').get(uid) !== undefined;
}

/** Remembers a positive hub answer until `expiresAt`. */
export function cachePositive(db: Db, uid: string, evcoId: string | undefined, expiresAt: number): void {
  db.prepare('INSERT INTO auth_cache (uid, evco_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (uid) DO UPDATE SET evco_id = excluded.evco_id, expires_at = excluded.expires_at').run(uid, evcoId ?? null, expiresAt);
}

/** A cached positive answer still valid at `now`, or undefined. */
export function cachedPositive(db: Db, uid: string, now: number): { evcoId: string | undefined } | undefined {
  const row = db.prepare('SELECT evco_id FROM auth_cache WHERE uid = ? AND expires_at > ?').get(uid, now) as { evco_id: string | null } | undefined;
  return row ? { evcoId: row.evco_id ?? undefined } : undefined;
}

/** Forgets a cached answer (the hub now says no). */
export function forgetCached(db: Db, uid: string): void {
  db.prepare('DELETE FROM auth_cache WHERE uid = ?').run(uid);
}

/**
 * An OCPP idTag as an OIOI UID, or undefined when it is not one (OCPP allows any 20 characters;
 * OIOI only hexadecimal card numbers). Example: `uidOfIdTag('a2b3c4d5') === 'A2B3C4D5'`.
 */
export function uidOfIdTag(idTag: string): string | undefined {
  return normalizeUid(idTag);
}
