/**
 * What only the SQLite engine does for authorization: rfid-verify's whitelist look-up is answered
 * from the UID index alone, without reading each hit's row (migration 900), in the same statement
 * as the account look-up. The behaviour both engines share is in ../contract/authorization.test.ts
 * and ../../hub/authorization/verify-offline.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OFFLINE_VERDICT_SQL, WHITELIST_HITS_SQL } from './authorization.js';
import { openSqliteStorage } from './index.js';

test('should find a card\'s lists from the UID index alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-auth-'));
  const storage = await openSqliteStorage(`sqlite:${join(dir, 'a.db')}`);
  try {
    const plan = await storage.sqlite.read((db) => db.prepare(`EXPLAIN QUERY PLAN ${WHITELIST_HITS_SQL}`).all('04A2B3C4') as Array<{ detail: string }>);
    const details = plan.map((r) => r.detail);
    assert.ok(details.includes('SEARCH w USING COVERING INDEX whitelists_uid (uid=?)'), details.join(' | '));
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('should look a card up in the accounts and the whitelists by their UID indexes, in one statement', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-auth-'));
  const storage = await openSqliteStorage(`sqlite:${join(dir, 'a.db')}`);
  try {
    const plan = await storage.sqlite.read((db) => db.prepare(`EXPLAIN QUERY PLAN ${OFFLINE_VERDICT_SQL}`).all('04A2B3C4', '04A2B3C4') as Array<{ detail: string }>);
    const details = plan.map((r) => r.detail);
    assert.ok(details.some((d) => /^SEARCH r USING INDEX sqlite_autoindex_account_rfids_1 \(uid=\?\)$/.test(d)), details.join(' | '));
    assert.ok(details.includes('SEARCH w USING COVERING INDEX whitelists_uid (uid=?)'), details.join(' | '));
    assert.ok(!details.some((d) => d.startsWith('SCAN')), details.join(' | '));
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
