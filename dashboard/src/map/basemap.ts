// The offline basemap: Natural Earth country outlines (world-atlas, 1:50m) bundled into the build and
// drawn on a canvas layer. No tiles are fetched, so the dashboard works without internet access.
import L from 'leaflet';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

/** Adds land outlines under everything else. Example: `await addBasemap(map)`. */
export async function addBasemap(map: L.Map): Promise<void> {
  // A separate chunk: the outlines (~750 kB) load while the first map query is already under way.
  const world = (await import('world-atlas/countries-50m.json')).default as unknown as Topology<{ countries: GeometryCollection }>;
  const countries = feature(world, world.objects.countries);
  map.createPane('basemap');
  map.getPane('basemap')!.style.zIndex = '200';
  L.geoJSON(countries, {
    pane: 'basemap',
    interactive: false,
    attribution: 'outlines © <a href="https://www.naturalearthdata.com/">Natural Earth</a>',
    style: { renderer: L.canvas({ pane: 'basemap', padding: 0.2 }), color: '#b8c2cf', weight: 0.8, fillColor: '#f4f1ea', fillOpacity: 1 },
  }).addTo(map);
}
