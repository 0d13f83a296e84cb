// Leaflet markers for the map: clusters as small pies of their status mix with the count on top,
// stations as dots in their summary colour. Both are HTML (divIcon) so they stay crisp and testable.
import L from 'leaflet';
import { STATUS_COLOR } from '../format';
import { STATUSES, type Cluster, type StationPin, type Status } from '../types';

/** CSS conic-gradient of a status mix. Example: `pie({ Available: 1, Occupied: 1, … })` -> 'conic-gradient(#1f9d55 0% 50%, …)'. */
export function pie(statuses: Partial<Record<Status, number>>): string {
  const total = STATUSES.reduce((s, k) => s + (statuses[k] ?? 0), 0);
  if (total === 0) return STATUS_COLOR.Unknown;
  let at = 0;
  const parts: string[] = [];
  for (const k of STATUSES) {
    const n = statuses[k] ?? 0;
    if (n === 0) continue;
    const end = at + (n / total) * 100;
    parts.push(`${STATUS_COLOR[k]} ${at.toFixed(2)}% ${end.toFixed(2)}%`);
    at = end;
  }
  return `conic-gradient(${parts.join(', ')})`;
}

/** The status most stations of a cluster have. Example: `dominant({ Available: 3, Offline: 1, … })` -> 'Available'. */
export function dominant(statuses: Partial<Record<Status, number>>): Status {
  return STATUSES.reduce((best, k) => ((statuses[k] ?? 0) > (statuses[best] ?? 0) ? k : best), 'Unknown' as Status);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A cluster marker; its size grows with the log of the count. Example: `clusterMarker(c, () => zoomTo(c))`. */
export function clusterMarker(c: Cluster, onClick: () => void): L.Marker {
  const size = Math.round(Math.min(64, 26 + Math.log10(Math.max(1, c.count)) * 12));
  const title = STATUSES.filter((k) => c.statuses[k]).map((k) => `${k}: ${c.statuses[k]}`).join(', ');
  const icon = L.divIcon({
    className: 'cluster-icon',
    iconSize: [size, size],
    html: `<div class="cluster" data-count="${c.count}" data-lat="${c.lat}" data-lon="${c.lon}" data-dominant="${dominant(c.statuses)}" title="${esc(title)}"
      style="width:${size}px;height:${size}px;background:${pie(c.statuses)}"><span>${c.count}</span></div>`,
  });
  return L.marker([c.lat, c.lon], { icon, keyboard: false }).on('click', onClick);
}

/** The icon of one station in its summary colour. Example: `stationIcon(pin, true)`. */
export function stationIcon(s: StationPin, selected: boolean, flash = false): L.DivIcon {
  return L.divIcon({
    className: 'station-icon',
    iconSize: [18, 18],
    html: `<div class="station-pin status-${s.summary}${selected ? ' selected' : ''}${flash ? ' flash' : ''}"
      data-station-id="${s.id}" data-summary="${s.summary}" title="${esc(s.name)} (${s.summary})"
      style="background:${STATUS_COLOR[s.summary] ?? STATUS_COLOR.Unknown}"></div>`,
  });
}
