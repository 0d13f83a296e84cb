/**
 * Real German cities the simulated CPO builds its stations around: city-centre coordinates,
 * the span of the city's postcodes, a few of its real streets and a rough population (millions)
 * used as the weight of how many stations land there. Centres are the usual town-hall/market
 * coordinates; the demo scatters stations a few kilometres around them.
 */

export interface City {
  name: string;
  lat: number;
  long: number;
  /** Lowest and highest postcode of the city (as numbers; written with 5 digits). */
  zip: readonly [number, number];
  /** Area code for plausible phone numbers. */
  phone: string;
  streets: readonly string[];
  /** Population in millions: the share of stations the city gets. */
  weight: number;
}

export const cities: readonly City[] = [
  { name: 'Berlin', lat: 52.52, long: 13.405, zip: [10115, 14199], phone: '30', weight: 3.7,
    streets: ['Friedrichstraße', 'Karl-Marx-Allee', 'Kurfürstendamm', 'Unter den Linden', 'Torstraße', 'Schönhauser Allee', 'Frankfurter Allee', 'Potsdamer Straße', 'Sonnenallee'] },
  { name: 'Hamburg', lat: 53.5511, long: 9.9937, zip: [20095, 22769], phone: '40', weight: 1.9,
    streets: ['Mönckebergstraße', 'Jungfernstieg', 'Reeperbahn', 'Elbchaussee', 'Eppendorfer Landstraße', 'Osterstraße', 'Wandsbeker Chaussee'] },
  { name: 'München', lat: 48.1374, long: 11.5755, zip: [80331, 81929], phone: '89', weight: 1.5,
    streets: ['Leopoldstraße', 'Maximilianstraße', 'Sendlinger Straße', 'Landsberger Straße', 'Rosenheimer Straße', 'Ludwigstraße', 'Dachauer Straße'] },
  { name: 'Köln', lat: 50.9375, long: 6.9603, zip: [50667, 51149], phone: '221', weight: 1.1,
    streets: ['Hohe Straße', 'Aachener Straße', 'Venloer Straße', 'Ehrenstraße', 'Severinstraße', 'Neusser Straße', 'Deutzer Freiheit'] },
  { name: 'Frankfurt am Main', lat: 50.1109, long: 8.6821, zip: [60311, 60599], phone: '69', weight: 0.77,
    streets: ['Zeil', 'Berger Straße', 'Mainzer Landstraße', 'Hanauer Landstraße', 'Eschersheimer Landstraße', 'Schweizer Straße'] },
  { name: 'Stuttgart', lat: 48.7758, long: 9.1829, zip: [70173, 70629], phone: '711', weight: 0.63,
    streets: ['Königstraße', 'Theodor-Heuss-Straße', 'Neckarstraße', 'Hauptstätter Straße', 'Heilbronner Straße', 'Rotebühlstraße'] },
  { name: 'Düsseldorf', lat: 51.2277, long: 6.7735, zip: [40210, 40629], phone: '211', weight: 0.62,
    streets: ['Königsallee', 'Schadowstraße', 'Kaiserswerther Straße', 'Corneliusstraße', 'Graf-Adolf-Straße', 'Bilker Allee'] },
  { name: 'Leipzig', lat: 51.3397, long: 12.3731, zip: [4103, 4357], phone: '341', weight: 0.6,
    streets: ['Karl-Liebknecht-Straße', 'Grimmaische Straße', 'Jahnallee', 'Eisenbahnstraße', 'Prager Straße', 'Georg-Schumann-Straße'] },
  { name: 'Dresden', lat: 51.0504, long: 13.7373, zip: [1067, 1328], phone: '351', weight: 0.56,
    streets: ['Prager Straße', 'Königsbrücker Straße', 'Bautzner Straße', 'Louisenstraße', 'Hauptstraße', 'Budapester Straße'] },
  { name: 'Hannover', lat: 52.3759, long: 9.732, zip: [30159, 30669], phone: '511', weight: 0.54,
    streets: ['Georgstraße', 'Lister Meile', 'Limmerstraße', 'Hildesheimer Straße', 'Podbielskistraße', 'Vahrenwalder Straße'] },
  { name: 'Nürnberg', lat: 49.4521, long: 11.0767, zip: [90402, 90491], phone: '911', weight: 0.52,
    streets: ['Königstraße', 'Allersberger Straße', 'Fürther Straße', 'Äußere Sulzbacher Straße', 'Bayreuther Straße', 'Karl-Grillenberger-Straße'] },
  { name: 'Bremen', lat: 53.0793, long: 8.8017, zip: [28195, 28779], phone: '421', weight: 0.57,
    streets: ['Obernstraße', 'Schwachhauser Heerstraße', 'Am Wall', 'Vor dem Steintor', 'Hastedter Heerstraße', 'Waller Heerstraße'] },
];

/** The box the printed station-get-surface example asks for: central Berlin, about 30 x 25 km. */
export const berlinBox = Object.freeze({ 'min-lat': 52.4, 'max-lat': 52.64, 'min-long': 13.18, 'max-long': 13.63 });
