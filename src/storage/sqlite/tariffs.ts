/** SQLite implementation of TariffRepository. */
import type Database from 'better-sqlite3';
import type { TariffRepository, TariffsOfStations } from '../tariffs.js';
import type { SqliteDatabase } from './database.js';

/** Tariffs on SQLite. Example: `await new SqliteTariffs(db).forStations([1, 2])`. */
export class SqliteTariffs implements TariffRepository {
  private readonly upsert: Database.Statement;
  private readonly stationExists: Database.Statement;
  private readonly evseCount: Database.Statement;
  private readonly ofStations: Database.Statement;

  constructor(private readonly s: SqliteDatabase) {
    const db = s.db;
    this.upsert = db.prepare(`INSERT INTO tariffs (scope, target, tariff, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (scope, target) DO UPDATE SET tariff = excluded.tariff, updated_at = excluded.updated_at`);
    this.stationExists = db.prepare('SELECT 1 FROM stations WHERE id = ?').pluck();
    this.evseCount = db.prepare('SELECT count(*) FROM connectors WHERE evse_key = ?').pluck();
    this.ofStations = db.prepare(`SELECT scope, target, tariff FROM tariffs WHERE scope = 'station' AND target IN (SELECT CAST(value AS TEXT) FROM json_each(@ids))
      UNION ALL
      SELECT scope, target, tariff FROM tariffs WHERE scope = 'connector'
        AND target IN (SELECT evse_key FROM connectors WHERE station_id IN (SELECT value FROM json_each(@ids)))`);
  }

  setForStation(stationId: number, tariff: Record<string, unknown>, at: number): Promise<boolean> {
    return this.s.write(() => {
      if (!this.stationExists.get(stationId)) return false;
      this.upsert.run('station', String(stationId), JSON.stringify(tariff), at);
      return true;
    });
  }

  setForEvse(evseKey: string, tariff: Record<string, unknown>, at: number): Promise<number> {
    return this.s.write(() => {
      const n = this.evseCount.get(evseKey) as number;
      if (n > 0) this.upsert.run('connector', evseKey, JSON.stringify(tariff), at);
      return n;
    });
  }

  async forStations(stationIds: number[]): Promise<TariffsOfStations> {
    const out: TariffsOfStations = { byStation: new Map(), byEvseKey: new Map() };
    if (stationIds.length === 0) return out;
    for (const r of this.ofStations.all({ ids: JSON.stringify(stationIds) }) as Array<{ scope: string; target: string; tariff: string }>) {
      const tariff = JSON.parse(r.tariff) as Record<string, unknown>;
      if (r.scope === 'station') out.byStation.set(Number(r.target), tariff);
      else out.byEvseKey.set(r.target, tariff);
    }
    return out;
  }
}
