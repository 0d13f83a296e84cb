/**
 * The fuzz target: a real hub (in-process `startHub`, real HTTP on loopback) on a temporary SQLite
 * file, with one partner per role, some data in every table the calls touch, and a probe that
 * tells whether anything was committed between two moments (SQLite's `data_version`).
 * Example: `const t = await startFuzzTarget(); const v = t.dataVersion(); await t.send('cpo', body); t.dataVersion() === v`.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addPartner, startHub, type RunningHub } from '../../src/hub/index.js';
import { openStorage } from '../../src/storage/index.js';
import { silentLogger } from '../../src/transport/server/index.js';
import { callNames, callDefinition, type CallName } from '../../src/protocol/index.js';
import { repoRoot, tempDir } from '../support/cli.js';

export const fuzzRoles = ['cpo', 'emp', 'oem', 'fleet'] as const;
export type FuzzRole = (typeof fuzzRoles)[number];

export interface FuzzAnswer {
  status: number;
  contentType: string | undefined;
  text: string;
}

export interface FuzzTarget {
  url: string;
  /** The calls this hub serves (the others are answered 400/200 "not served here"). */
  served: CallName[];
  /** The partner identifier of each role's partner. */
  pids: Record<FuzzRole, string>;
  /** Every secret the hub was given (API keys): for tests that look for leaks. */
  apiKeys: Record<FuzzRole, string>;
  /** Changes whenever the hub commits a write; equal before and after = nothing changed. */
  dataVersion(): number;
  /**
   * A hash of every table's rows, leaving out the outbox's delivery bookkeeping (state, attempts,
   * times, errors), which the hub's background worker updates on its own.
   */
  snapshot(): string;
  /** POSTs raw bytes with the role's key over a keep-alive socket; rejects after `timeoutMs`. */
  send(role: FuzzRole, body: string | Buffer, timeoutMs?: number): Promise<FuzzAnswer>;
  /** Sends with exactly these headers (no key added) and this method. */
  sendWith(headers: Record<string, string>, body: string | Buffer, method?: string, timeoutMs?: number): Promise<FuzzAnswer>;
  stop(): Promise<void>;
}

/** The spec's request example of a call (test/fixtures/spec), or a hand-made one where it has none. */
export function exampleOf(call: CallName): Record<string, unknown> {
  if (call === 'connector-post-status') return { 'connector-post-status': { 'connector-id': 'DE*8PS*E123456', status: 'Occupied', 'partner-identifier': 'x'.repeat(16) } };
  return JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/spec', call, 'request.json'), 'utf8'));
}

/** The example with the sender's partner identifier, so it gets past the 211 check. */
export function examplePayloadFor(call: CallName, pid: string): Record<string, unknown> {
  const payload = exampleOf(call)[call] as Record<string, unknown>;
  if (callDefinition(call)?.hasPartnerIdentifier) payload['partner-identifier'] = pid;
  // The spec's station example deletes its station; a live one gives the other calls something to meet.
  if (call === 'station-post') (payload.station as Record<string, unknown>).deleted = false;
  return payload;
}

/** The first role of ours that may send `call`. */
export function allowedRole(call: CallName): FuzzRole {
  const roles = callDefinition(call)!.roles;
  return roles === '*' ? 'cpo' : (fuzzRoles.find((r) => roles.includes(r)) ?? 'cpo');
}

/** Starts the hub and fills it with the spec examples of every call. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  // Every success answer is checked against its response schema; a breach would be a 500 here.
  process.env.OIOI_VALIDATE_RESPONSES = '1';
  const tmp = tempDir('oioi-fuzz-');
  const file = join(tmp.dir, 'hub.db');
  const storage = await openStorage(`sqlite:${file}`);
  const pids = {} as Record<FuzzRole, string>;
  const apiKeys = {} as Record<FuzzRole, string>;
  for (const role of fuzzRoles) {
    const { partner, apiKey } = await addPartner(storage, { name: `fuzz ${role}`, roles: [role], evcoPrefixes: role === 'emp' ? ['DE8PS'] : [] });
    pids[role] = partner.partnerIdentifiers[0]!;
    apiKeys[role] = apiKey;
  }
  const hub: RunningHub = await startHub({ db: storage, port: 0, logger: silentLogger, upstreamTimeoutMs: 500, outboxMinDelayMs: 3_600_000, outboxMaxDelayMs: 3_600_000 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const probe = new Database(file, { readonly: true, fileMustExist: true });
  // Derived tables are left out: the map aggregates and station-get-surface's tables follow
  // `stations` and `connectors` (which are hashed), and the hub's background refresher updates
  // them, drains `map_dirty` and moves staged surface rows (migration 880) whenever it runs,
  // request or not.
  const derived = new Set(['map_dirty', 'map_stations', 'map_cells', 'surface_stations', 'surface_staging']);
  const tables = (probe.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[]).filter((name) => !derived.has(name)).map((name) =>
    probe.prepare(name === 'outbox' ? 'SELECT id, partner_id, call, payload, subject, created_at FROM outbox ORDER BY id' : `SELECT * FROM "${name}"`).raw(),
  );
  const target: FuzzTarget = {
    url: hub.url,
    served: [],
    pids,
    apiKeys,
    dataVersion: () => probe.pragma('data_version', { simple: true }) as number,
    snapshot() {
      const h = createHash('sha256');
      for (const q of tables) for (const row of q.iterate()) h.update(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
      return h.digest('hex');
    },
    send(role, body, timeoutMs = 10_000) {
      return target.sendWith({ 'content-type': 'application/json', authorization: `key=${apiKeys[role]}` }, body, 'POST', timeoutMs);
    },
    sendWith(headers, body, method = 'POST', timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
        const req = http.request(hub.url, { method, agent, headers: { ...headers, 'content-length': data.length } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        });
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        req.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        req.end(data);
      });
    },
    async stop() {
      agent.destroy();
      probe.close();
      await hub.stop();
      tmp.remove();
    },
  };
  // Data for the mutations to meet: the spec's examples, each sent once by a role that may.
  for (const call of callNames) {
    const role = allowedRole(call);
    const answer = await target.send(role, JSON.stringify({ [call]: examplePayloadFor(call, pids[role]) }));
    if (!(answer.status === 400 && JSON.parse(answer.text).result.code === 200)) target.served.push(call);
  }
  // The examples' status posts marked their stations (migration 820); the hub's background
  // refresher commits when it drains the marks (the marks leave in that same commit). Let it
  // finish, so that from here on a commit can only come from a request.
  const marks = probe.prepare('SELECT count(*) FROM map_dirty').pluck();
  for (const end = Date.now() + 10_000; (marks.get() as number) > 0; ) {
    if (Date.now() > end) throw new Error('the map refresher left marks in map_dirty for 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  return target;
}
