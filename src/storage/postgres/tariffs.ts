/** PostgreSQL implementation of TariffRepository. */
import type { TariffRepository, TariffsOfStations } from '../tariffs.js';
import type { PgDatabase } from './database.js';

const UPSERT = `INSERT INTO tariffs (scope, target, tariff, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (scope, target) DO UPDATE SET tariff = excluded.tariff, updated_at = excluded.updated_at`;

/** Tariffs on PostgreSQL. Example: `await new PgTariffs(db).forStations([1, 2])`. */
export class PgTariffs implements TariffRepository {
  constructor(private readonly db: PgDatabase) {}

  async setForStation(stationId: number, tariff: Record<string, unknown>, at: number): Promise<boolean> {
    // One statement: the check and the write cannot be split by a concurrent change.
    const rows = await this.db.query(
      `INSERT INTO tariffs (scope, target, tariff, updated_at) SELECT 'station', $1::text, $2, $3 WHERE EXISTS (SELECT 1 FROM stations WHERE id = $4)
       ON CONFLICT (scope, target) DO UPDATE SET tariff = excluded.tariff, updated_at = excluded.updated_at RETURNING 1`,
      [String(stationId), JSON.stringify(tariff), at, Number.isSafeInteger(stationId) ? stationId : -1],
    );
    return rows.length === 1;
  }

  async setForEvse(evseKey: string, tariff: Record<string, unknown>, at: number): Promise<number> {
    return this.db.tx(async (c) => {
      const n = Number((await c.query<{ n: number }>('SELECT count(*) AS n FROM connectors WHERE evse_key = $1', [evseKey])).rows[0]!.n);
      if (n > 0) await c.query(UPSERT, ['connector', evseKey, JSON.stringify(tariff), at]);
      return n;
    });
  }

  async forStations(stationIds: number[]): Promise<TariffsOfStations> {
    const out: TariffsOfStations = { byStation: new Map(), byEvseKey: new Map() };
    if (stationIds.length === 0) return out;
    const ids = stationIds.filter((id) => Number.isSafeInteger(id));
    const rows = await this.db.query<{ scope: string; target: string; tariff: string }>(
      `SELECT scope, target, tariff FROM tariffs WHERE scope = 'station' AND target = ANY($1::text[])
       UNION ALL
       SELECT scope, target, tariff FROM tariffs WHERE scope = 'connector'
         AND target IN (SELECT evse_key FROM connectors WHERE station_id = ANY($2::bigint[]))`,
      [ids.map(String), ids],
    );
    for (const r of rows) {
      const tariff = JSON.parse(r.tariff) as Record<string, unknown>;
      if (r.scope === 'station') out.byStation.set(Number(r.target), tariff);
      else out.byEvseKey.set(r.target, tariff);
    }
    return out;
  }
}
