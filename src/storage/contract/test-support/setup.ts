/**
 * The repository contract suites run every test once per engine (test/support/engines.ts) on a
 * fresh database, through `openStorage` as the hub opens it, so SQLite and PostgreSQL must give the
 * same outcomes, orderings and edge cases. On SQLite every write batch is rehearsed (run, rolled
 * back, run again: SqliteOptions.rehearseWrites), so a write that cannot run twice fails here.
 */
import { after, before } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { freshDatabase, type Engine } from '../../../../test/support/engines.js';
import { openStorage } from '../../index.js';
import { openSqliteStorage } from '../../sqlite/index.js';
import type { StationInput, SurfaceStationRecord } from '../../poi.js';
import { textOf } from '../../utf8-text.js';
import type { Storage } from '../../types.js';

export { testEngines, type Engine } from '../../../../test/support/engines.js';

export interface StorageHandle {
  readonly storage: Storage;
  readonly url: string;
  /** Opens a second Storage on the same database (another hub process, as far as storage can tell); closed after the suite. */
  another(): Promise<Storage>;
}

/** Registers before/after hooks that give the suite a fresh Storage on `engine`. Example: `const h = useStorage('postgres')`. */
export function useStorage(engine: Engine): StorageHandle {
  let db: { url: string; drop(): Promise<void> };
  let storage: Storage;
  const others: Storage[] = [];
  // As openStorage opens SQLite for a tool (no checkpoint worker), with every batch rehearsed.
  const open = (url: string): Promise<Storage> => (engine === 'sqlite' ? openSqliteStorage(url, { rehearseWrites: true }) : openStorage(url));
  before(async () => {
    db = await freshDatabase(engine);
    storage = await open(db.url);
  });
  after(async () => {
    for (const o of others) await o.close();
    await storage?.close();
    await db?.drop();
  });
  return {
    get storage() { return storage; },
    get url() { return db.url; },
    async another() {
      const o = await open(db.url);
      others.push(o);
      return o;
    },
  };
}

/** Adds a partner with one identifier `<name>-identifier-…`. */
export async function aPartner(storage: Storage, name: string, roles: Array<'cpo' | 'emp' | 'oem' | 'fleet'> = ['cpo']): Promise<{ id: number; identifier: string }> {
  const p = await storage.partners.add({ name, roles, partnerIdentifiers: [`${name}-identifier-${'0'.repeat(Math.max(1, 20 - name.length))}`], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
  return { id: p.id, identifier: p.partnerIdentifiers[0]! };
}

let seq = 0;
/** A station input; `DE*8PS*E<n>A/B` connectors unless given. */
export function aStation(owner: { id: number; identifier: string }, o: Partial<StationInput> & { evse?: string[] } = {}): StationInput {
  const n = ++seq;
  const evse = o.evse ?? [`DE*8PS*E${n}A`, `DE*8PS*E${n}B`];
  const { evse: _evse, ...rest } = o;
  return {
    ownerPartnerId: owner.id, ownerIdentifier: owner.identifier, cpoStationId: `st-${n}`, name: `Station ${n}`,
    latitude: 52.5, longitude: 13.4, isPrivate: false, isFreeCharge: false, deleted: false, data: { name: `Station ${n}` },
    connectors: evse.map((id) => ({ evseId: id, evseKey: id.toUpperCase().replace(/\*/g, ''), type: 'Type2', speed: 22 })),
    at: 1_000, ...rest,
  };
}

/** The station id of a successful save. */
export function stationIdOf(out: Awaited<ReturnType<Storage['poi']['saveStation']>>): number {
  if (!out.ok || out.stationId === null) throw new Error(`station not saved: ${JSON.stringify(out)}`);
  return out.stationId;
}

/** Runs one read-only statement on the database under test with the engine's own driver. Example: `await rawQuery('sqlite', h.url, 'SELECT 1 AS x')`. */
export async function rawQuery<R>(engine: Engine, url: string, sql: string): Promise<R[]> {
  if (engine === 'sqlite') {
    const db = new Database(url.replace(/^sqlite:(\/\/)?/, ''), { readonly: true });
    try {
      return db.prepare(sql).all() as R[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as R[];
  } finally {
    await client.end();
  }
}

/** Runs SQL that writes through a connection of its own (fixtures storage cannot make, e.g. old rows). */
export async function rawExec(engine: Engine, url: string, sql: string): Promise<void> {
  if (engine === 'sqlite') {
    const db = new Database(url.replace(/^sqlite:(\/\/)?/, ''));
    try {
      db.pragma('busy_timeout = 5000');
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A surface answer with every name as a string (the SQLite index hands names on as Utf8Text), to
 * compare answers of different paths. Example: `assert.deepEqual(namesAsText(ix.query(q)), sql.run(q))`.
 */
export function namesAsText<T extends { stations: SurfaceStationRecord[] } | undefined>(answer: T): T {
  if (!answer) return answer;
  return { ...answer, stations: answer.stations.map((s) => ({ ...s, name: textOf(s.name) })) };
}
