/**
 * Keeps the hub's picture of this operator's stations equal to the stations file: on start and
 * on every change of the file, each station is posted (through the outbox); a station that left
 * the file is posted once more with `deleted: true`, so it leaves the hub's map too.
 */
import type { CpoContext } from './context.js';
import { stationOf, type StationsConfig } from './stations-file.js';

/**
 * Queues station-posts for the stations of `config` that differ from what was last posted (all
 * of them when `force`), and deletions for stations no longer in it.
 * Example: `syncStations(ctx, loadStations(path), true)`.
 */
export function syncStations(ctx: CpoContext, config: StationsConfig, force: boolean): number {
  const posted = new Map((ctx.db.prepare('SELECT station_id, body FROM posted_stations').all() as Array<{ station_id: string; body: string }>).map((r) => [r.station_id, r.body]));
  const save = ctx.db.prepare('INSERT INTO posted_stations (station_id, body) VALUES (?, ?) ON CONFLICT (station_id) DO UPDATE SET body = excluded.body');
  let queued = 0;
  ctx.db.transaction(() => {
    for (const entry of config.stations) {
      const station = stationOf(entry);
      const body = JSON.stringify(station);
      if (!force && posted.get(station.id) === body) continue;
      save.run(station.id, body);
      ctx.outbox.enqueue('station-post', { station, 'partner-identifier': ctx.partnerIdentifier });
      queued++;
    }
    const kept = new Set(config.stations.map((s) => s.id));
    for (const [id, body] of posted) {
      if (kept.has(id)) continue;
      ctx.outbox.enqueue('station-post', { station: { ...JSON.parse(body), deleted: true }, 'partner-identifier': ctx.partnerIdentifier });
      ctx.db.prepare('DELETE FROM posted_stations WHERE station_id = ?').run(id);
      queued++;
    }
  })();
  return queued;
}
