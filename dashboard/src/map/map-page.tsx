// The Map screen: server-side clusters re-queried on every move/zoom, stations as coloured dots when
// zoomed in, live `status` events recolouring dots (or refreshing clusters), and a station side panel.
import L from 'leaflet';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get, qs } from '../api';
import { useEvent } from '../events';
import { STATUS_COLOR } from '../format';
import { STATUSES, type MapAnswer, type StationPin, type StatusEvent } from '../types';
import { addBasemap } from './basemap';
import { clusterMarker, stationIcon } from './markers';
import { StationPanel } from './station-panel';

interface View { kind: 'clusters' | 'stations'; count: number; total: number }

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function MapPage() {
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const layer = useRef<L.LayerGroup | null>(null);
  const pins = useRef(new Map<number, { pin: StationPin; marker: L.Marker }>());
  const selectedRef = useRef<number | null>(null);
  const seq = useRef(0);
  const refetchTimer = useRef<number | undefined>(undefined);
  const [selected, setSelected] = useState<number | null>(null);
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState('');
  const [changed, setChanged] = useState(0);

  const select = useCallback((id: number | null) => {
    const prev = selectedRef.current;
    selectedRef.current = id;
    setSelected(id);
    for (const x of [prev, id]) {
      const p = x === null ? undefined : pins.current.get(x);
      if (p) p.marker.setIcon(stationIcon(p.pin, x === id));
    }
  }, []);

  /** Asks the hub for what lies in the visible box at this zoom and redraws the markers. */
  const load = useCallback(async () => {
    const map = mapRef.current;
    if (!map) return;
    const b = map.getBounds();
    const zoom = clamp(Math.round(map.getZoom()), 0, 20);
    const box = {
      minLat: clamp(b.getSouth(), -90, 90).toFixed(5), maxLat: clamp(b.getNorth(), -90, 90).toFixed(5),
      minLon: clamp(b.getWest(), -180, 180).toFixed(5), maxLon: clamp(b.getEast(), -180, 180).toFixed(5),
    };
    const mine = ++seq.current;
    // Visible state for tests and scripts: busy while a map query runs, and the zoom it answers.
    el.current!.dataset.busy = '1';
    try {
      const answer = await get<MapAnswer>(`/map${qs({ ...box, zoom })}`);
      if (mine !== seq.current) return; // a newer move already asked again
      setError('');
      draw(answer);
      el.current!.dataset.zoom = String(zoom);
    } catch (e) {
      if (mine === seq.current) setError((e as Error).message);
    } finally {
      if (mine === seq.current && el.current) el.current.dataset.busy = '0';
    }
  }, []);

  function draw(answer: MapAnswer) {
    const group = layer.current!;
    group.clearLayers();
    pins.current.clear();
    for (const c of answer.clusters) {
      group.addLayer(clusterMarker(c, () => mapRef.current!.setView([c.lat, c.lon], Math.min(20, mapRef.current!.getZoom() + 2))));
    }
    for (const s of answer.stations) {
      const marker = L.marker([s.lat, s.lon], { icon: stationIcon(s, s.id === selectedRef.current), riseOnHover: true })
        .on('click', () => select(s.id));
      pins.current.set(s.id, { pin: s, marker });
      group.addLayer(marker);
    }
    const inClusters = answer.clusters.reduce((n, c) => n + c.count, 0);
    setView(answer.clusters.length > 0
      ? { kind: 'clusters', count: answer.clusters.length, total: inClusters }
      : { kind: 'stations', count: answer.stations.length, total: answer.stations.length });
  }

  useEffect(() => {
    const map = L.map(el.current!, { zoomControl: true, worldCopyJump: false, minZoom: 2, maxZoom: 19, preferCanvas: false });
    mapRef.current = map;
    layer.current = L.layerGroup().addTo(map);
    map.setView([30, 10], 2);
    void addBasemap(map);
    map.on('moveend', () => void load());
    // First look: frame wherever the stations are.
    get<MapAnswer>(`/map${qs({ minLat: -90, maxLat: 90, minLon: -180, maxLon: 180, zoom: 2 })}`).then((all) => {
      const points = [...all.clusters, ...all.stations].map((p) => L.latLng(p.lat, p.lon));
      // World-level clusters are coarse: one point means "somewhere in this region", so look at the region.
      if (points.length === 1) map.setView(points[0]!, 7, { animate: false });
      else if (points.length > 1) map.fitBounds(L.latLngBounds(points).pad(0.2), { maxZoom: 10, animate: false });
      void load();
    }, (e) => setError((e as Error).message));
    return () => {
      window.clearTimeout(refetchTimer.current);
      map.remove();
      mapRef.current = null;
    };
  }, []);

  const onStatus = useCallback((ev: StatusEvent) => {
    setChanged((n) => n + 1);
    const p = pins.current.get(ev.stationId);
    if (p) {
      p.pin = { ...p.pin, summary: ev.summary };
      p.marker.setIcon(stationIcon(p.pin, ev.stationId === selectedRef.current, true));
      return;
    }
    // Clusters only know counts: ask again (at most once a second) when the change is in view.
    const map = mapRef.current;
    if (map && map.getBounds().contains([ev.lat, ev.lon]) && refetchTimer.current === undefined) {
      refetchTimer.current = window.setTimeout(() => { refetchTimer.current = undefined; void load(); }, 1000);
    }
  }, [load]);
  useEvent('status', onStatus);

  return (
    <div class="map-page">
      <div class="map" ref={el} data-testid="map" />
      <div class="map-legend card">
        {STATUSES.map((s) => <span key={s}><i style={{ background: STATUS_COLOR[s] }} />{s}</span>)}
        {view && <span class="muted" data-testid="map-view">
          {view.kind === 'clusters' ? `${view.total} stations in ${view.count} clusters` : `${view.count} stations`}
        </span>}
        {changed > 0 && <span class="muted">{changed} live changes</span>}
        {error && <span class="error">{error}</span>}
      </div>
      {selected !== null && <StationPanel id={selected} onClose={() => select(null)} />}
    </div>
  );
}
