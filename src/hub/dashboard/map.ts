/**
 * `GET /dashboard/api/map`: the stations of a box, or grid clusters of them. Stations are listed
 * when the box holds at most 500 or the zoom is street level (>= 14); otherwise storage groups
 * them into grid cells of a quarter tile at the zoom (see storage/dashboard.ts). A box much larger
 * than the zoom's view (a client bug or a probe) gets a coarser grid, so no answer exceeds
 * MAX_CELLS clusters and no query scans more than it must.
 */
import { cellSize, gridSource, LIVE_GRID_FROM_ZOOM, type MapBox, type MapCluster, type MapStation } from '../../storage/dashboard.js';
import type { Storage } from '../../storage/index.js';
import { ApiError, numberParam } from './http.js';

export const LIST_UP_TO = 500;
export const STREET_ZOOM = 14;
/** Most stations listed at street zoom before the answer falls back to clusters. */
export const STREET_LIST_MAX = 2000;
/** Most cells one answer's grid may span. */
export const MAX_CELLS = 4096;
/** Most stations clustered on the fly (zoom >= 14); more: the finest stored aggregates. */
export const LIVE_GRID_MAX = 20_000;

/** The box and zoom of a map request, or 400. Example: `mapQueryOf(new URLSearchParams('minLat=52&…&zoom=9'))`. */
export function mapQueryOf(params: URLSearchParams): { box: MapBox; zoom: number } {
  const minLat = numberParam(params, 'minLat', { min: -90, max: 90 })!;
  const maxLat = numberParam(params, 'maxLat', { min: -90, max: 90 })!;
  const minLon = numberParam(params, 'minLon', { min: -180, max: 180 })!;
  const maxLon = numberParam(params, 'maxLon', { min: -180, max: 180 })!;
  const zoom = Math.floor(numberParam(params, 'zoom', { min: 0, max: 20 })!);
  if (minLat > maxLat) throw new ApiError(400, 'minLat is greater than maxLat');
  if (minLon > maxLon) throw new ApiError(400, 'minLon is greater than maxLon');
  return { box: { minLat, maxLat, minLon, maxLon }, zoom };
}

/**
 * The zoom whose grid is used for a box: the asked one, made coarser until the box spans at most
 * `maxCells` cells. Example: `gridZoom({ minLat: -90, maxLat: 90, minLon: -180, maxLon: 180 }, 12)` is 4.
 */
export function gridZoom(box: MapBox, zoom: number, maxCells = MAX_CELLS): number {
  let z = zoom;
  while (z > 0) {
    const size = cellSize(z);
    const cells = (Math.floor((box.maxLon + 180) / size) - Math.floor((box.minLon + 180) / size) + 1) * (Math.floor((box.maxLat + 90) / size) - Math.floor((box.minLat + 90) / size) + 1);
    if (cells <= maxCells) break;
    z--;
  }
  return z;
}

/** The map answer. Example: `await mapView(storage, { box, zoom: 6 })` -> `{ clusters: [...], stations: [] }`. */
export async function mapView(storage: Storage, { box, zoom }: { box: MapBox; zoom: number }): Promise<{ clusters: MapCluster[]; stations: MapStation[] }> {
  const listMax = zoom >= STREET_ZOOM ? STREET_LIST_MAX : LIST_UP_TO;
  const count = await storage.dashboard.countStations(box, listMax + 1);
  if (count <= listMax) return { clusters: [], stations: await storage.dashboard.stations(box, listMax) };
  let z = gridZoom(box, zoom);
  if (gridSource(z).level === null && (await storage.dashboard.countStations(box, LIVE_GRID_MAX + 1)) > LIVE_GRID_MAX) z = LIVE_GRID_FROM_ZOOM - 1;
  return { clusters: await storage.dashboard.clusters(box, z), stations: [] };
}
