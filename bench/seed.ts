/**
 * Loads a benchmark's data straight through the storage layer (the scenarios measure queries and
 * updates, not the loading): partners with keys, stations with connectors, whitelists.
 */
import { evseKey } from '../src/protocol/identifiers/evse-id.js';
import { addPartner } from '../src/hub/partners/partner-service.js';
import type { Storage } from '../src/storage/index.js';
import type { StationInput } from '../src/storage/poi.js';
import type { PgDatabase } from '../src/storage/postgres/database.js';
import { stationOf, uidOf } from './bodies.js';

/** A partner the load generator acts as. */
export interface BenchPartner {
  id: number;
  partnerIdentifier: string;
  apiKey: string;
}

/** Adds a partner with a key. Example: `await benchPartner(storage, 'CPO 1', ['cpo'])`. */
export async function benchPartner(storage: Storage, name: string, roles: string[], more: { evcoPrefixes?: string[]; endpoint?: { url: string; apiKey: string }; rfidAuth?: string } = {}): Promise<BenchPartner> {
  const { partner, apiKey } = await addPartner(storage, { name, roles, ...more });
  return { id: partner.id, partnerIdentifier: partner.partnerIdentifiers[0]!, apiKey };
}

/** The storage form of station `i` of a CPO (what station-post would store). */
export function stationInputOf(cpo: BenchPartner, plan: { operator: string; run: string; seed: number }, i: number, at: number): StationInput {
  const { connectors, id, ...data } = stationOf(plan, i) as { connectors: Array<{ id: string; name: string; speed: number }>; id: string } & Record<string, any>;
  return {
    ownerPartnerId: cpo.id,
    ownerIdentifier: cpo.partnerIdentifier,
    cpoStationId: id,
    name: data.name,
    latitude: data.latitude,
    longitude: data.longitude,
    isPrivate: false,
    isFreeCharge: false,
    deleted: false,
    data,
    connectors: connectors.map((c) => ({ evseId: c.id, evseKey: evseKey(c.id), type: c.name, speed: c.speed })),
    at,
  };
}

/**
 * Saves stations `from`..`to`-1 of each CPO's plan, round-robin over the CPOs, in batches that
 * storage commits together. `progress` is called now and then with the count done.
 * Example: `await loadStations(storage, [{ cpo, plan }], 0, 50_000)`.
 */
export async function loadStations(
  storage: Storage,
  owners: Array<{ cpo: BenchPartner; plan: { operator: string; run: string; seed: number } }>,
  count: number,
  progress?: (done: number) => void,
): Promise<void> {
  const at = Date.now();
  const batch = 5000;
  for (let start = 0; start < count; start += batch) {
    const pending: Array<Promise<unknown>> = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const { cpo, plan } = owners[i % owners.length]!;
      pending.push(
        storage.poi.saveStation(stationInputOf(cpo, plan, i, at)).then((o) => {
          if (!o.ok) throw new Error(`loading station ${i} failed: ${JSON.stringify(o)}`);
        }),
      );
    }
    await Promise.all(pending);
    progress?.(Math.min(count, start + batch));
  }
}

/** The better-sqlite3 connection behind a SQLite Storage, when it is one. */
function sqliteConnectionOf(storage: Storage): import('better-sqlite3').Database | undefined {
  const s = storage as Storage & { sqlite?: { db?: import('better-sqlite3').Database } };
  return storage.engine === 'sqlite' ? s.sqlite?.db : undefined;
}

/** The PostgreSQL database behind a Storage, when it is one. */
function postgresOf(storage: Storage): PgDatabase | undefined {
  return storage.engine === 'postgres' ? (storage as Storage & { pg?: PgDatabase }).pg : undefined;
}

/**
 * `bulkLoadStations` on PostgreSQL: stations and their connectors inserted from arrays, 5,000
 * stations a transaction, with the map's triggers standing aside as in a copy (`oioi.copying`,
 * migration 910), then the map rebuilt once: 40,000 stations in 4.4 s, against 45 s through
 * `saveStation` (a million in about two minutes, against some twenty).
 */
async function bulkLoadPostgres(pg: PgDatabase, owners: Array<{ cpo: BenchPartner; plan: { operator: string; run: string; seed: number } }>, count: number, progress?: (done: number) => void): Promise<void> {
  const at = Date.now();
  const size = 5_000;
  for (let from = 0; from < count; from += size) {
    const inputs: StationInput[] = [];
    for (let i = from; i < Math.min(count, from + size); i++) {
      const { cpo, plan } = owners[i % owners.length]!;
      inputs.push(stationInputOf(cpo, plan, i, at));
    }
    await pg.tx(async (c) => {
      await c.query("SET LOCAL oioi.copying = 'on'");
      const ids = (await c.query<{ id: string; k: string }>(
        `INSERT INTO stations (partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, is_private, is_free_charge, deleted, data, static_changed_at, created_at)
         SELECT p, pi, cs, n, la, lo, 0, f, 0, d, $7, $7 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $8::int[], $9::text[]) AS x(p, pi, cs, n, la, lo, f, d)
         RETURNING id, partner_identifier || ' ' || cpo_station_id AS k`,
        [inputs.map((s) => s.ownerPartnerId), inputs.map((s) => s.ownerIdentifier), inputs.map((s) => s.cpoStationId), inputs.map((s) => s.name),
          inputs.map((s) => s.latitude), inputs.map((s) => s.longitude), at, inputs.map((s) => (s.isFreeCharge ? 1 : 0)), inputs.map((s) => JSON.stringify(s.data))],
      )).rows;
      const idOf = new Map(ids.map((r) => [r.k, r.id]));
      const rows = inputs.flatMap((s) => s.connectors.map((k, position) => ({ station: idOf.get(`${s.ownerIdentifier} ${s.cpoStationId}`)!, position, ...k })));
      await c.query(
        `INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed)
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::float8[])`,
        [rows.map((r) => r.station), rows.map((r) => r.position), rows.map((r) => r.evseId), rows.map((r) => r.evseKey), rows.map((r) => r.type), rows.map((r) => r.speed)],
      );
    });
    progress?.(Math.min(count, from + size));
  }
  await pg.tx(async (c) => {
    await c.query("SET LOCAL oioi.copying = 'on'");
    await c.query('SELECT oioi_map_rebuild()');
  });
  // As after `oioi migrate`: a hub must not plan on tables it has never analyzed.
  await pg.query('ANALYZE stations, connectors, map_stations, map_cells');
}

/**
 * Like `loadStations`, several times faster: the rows station-post would create for a new station
 * (station and connectors; on SQLite the schema's own triggers do the rest, on PostgreSQL the map
 * is rebuilt at the end) inserted in large transactions, without the per-post checks a fresh
 * database does not need. Example: `await bulkLoadStations(storage, owners, 1_000_000)`.
 */
export async function bulkLoadStations(
  storage: Storage,
  owners: Array<{ cpo: BenchPartner; plan: { operator: string; run: string; seed: number } }>,
  count: number,
  progress?: (done: number) => void,
): Promise<void> {
  const pg = postgresOf(storage);
  if (pg) return bulkLoadPostgres(pg, owners, count, progress);
  const db = sqliteConnectionOf(storage);
  if (!db) return loadStations(storage, owners, count, progress);
  const at = Date.now();
  const station = db.prepare(`INSERT INTO stations (partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, is_private, is_free_charge, deleted, data, static_changed_at, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`);
  const connector = db.prepare('INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed) VALUES (?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const { cpo, plan } = owners[i % owners.length]!;
      const s = stationInputOf(cpo, plan, i, at);
      const id = Number(station.run(s.ownerPartnerId, s.ownerIdentifier, s.cpoStationId, s.name, s.latitude, s.longitude, 0, s.isFreeCharge ? 1 : 0, JSON.stringify(s.data), at, at).lastInsertRowid);
      s.connectors.forEach((c, k) => connector.run(id, k, c.evseId, c.evseKey, c.type, c.speed));
    }
  });
  const size = 20_000;
  for (let from = 0; from < count; from += size) {
    batch(from, Math.min(count, from + size));
    progress?.(Math.min(count, from + size));
    // Let timers and I/O of this process run between batches.
    await new Promise((r) => setImmediate(r));
  }
}

/** How many EMPs share the verify scenarios' whitelists. */
export const WHITELIST_EMPS = 4;

/**
 * The verify scenarios' data: WHITELIST_EMPS offline EMPs named `${label} 0`, `${label} 1`…, whose
 * whitelists hold cards 0..total-1 between them. Example: `await whitelistingEmps(storage, 'EMP', 100_000)`.
 */
export async function whitelistingEmps(storage: Storage, label: string, total: number): Promise<BenchPartner[]> {
  const emps: BenchPartner[] = [];
  for (let e = 0; e < WHITELIST_EMPS; e++) emps.push(await benchPartner(storage, `${label} ${e}`, ['emp'], { rfidAuth: 'offline' }));
  await loadWhitelists(storage, emps, total);
  return emps;
}

/**
 * Gives each EMP a whitelist: cards 0..total-1 dealt round-robin.
 * Example: `await loadWhitelists(storage, emps, 100_000)`.
 */
async function loadWhitelists(storage: Storage, emps: BenchPartner[], total: number): Promise<void> {
  for (let e = 0; e < emps.length; e++) {
    const uids: string[] = [];
    for (let i = e; i < total; i += emps.length) uids.push(uidOf(i));
    await storage.authorization.replaceWhitelist(emps[e]!.partnerIdentifier, emps[e]!.id, uids);
  }
}
