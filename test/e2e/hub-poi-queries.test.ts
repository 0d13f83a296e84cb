/**
 * POI look-ups end to end: station-get-surface, station-get-by-ids, tariffs (set with the real CLI)
 * against a real hub process with surface limit 3. One test or more per rule of shared/protocol.md.
 */
import { after, before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { aStationPost, around, startPoiHub, status, surface, type PoiHub } from '../support/poi.js';
import { oioi, tempDir } from '../support/cli.js';
import { testEngines } from '../support/engines.js';

for (const engine of testEngines()) describe(`hub POI: station look-ups and tariffs (${engine})`, () => {
  const tmp = tempDir();
  let t: PoiHub;
  before(async () => { t = await startPoiHub({ engine }); });
  after(async () => { await t.hub.stop(); await t.hub.cleanup(); tmp.remove(); });

  it('should include stations on the edges of the box and leave out those just outside', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 11, lon: 11 }));
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 11.5, lon: 11.5 }));
    assert.equal((await t.post(t.oem, surface([11, 11.5, 11, 11.5]))).body.stations.length, 2);
    assert.equal((await t.post(t.oem, surface([11.000001, 11.5, 11, 11.5]))).body.stations.length, 1);
  });

  it('should return at most the configured limit, nearest to the centre first, with hasMore', async () => {
    for (const d of [0.3, -0.1, 0.2, 0.05, -0.4]) await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 20 + d, lon: 20, name: `d${d}` }));
    const r = await t.post(t.oem, surface(around(20, 20)));
    assert.deepEqual(r.body.stations.map((s: any) => s.name), ['d0.05', 'd-0.1', 'd0.2']);
    assert.equal(r.body.hasMore, true);
    const all = await t.post(t.oem, surface(around(20, 20), { excludes: r.body.stations.map((s: any) => s.id) }));
    assert.deepEqual([all.body.stations.length, all.body.hasMore], [2, false]);
  });

  it('should show a private station only to the partner that owns it', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 13, lon: 13, extra: { 'is-private': true } }));
    const own = await t.stationAt(13, 13, t.cpoA);
    assert.ok(own);
    assert.equal(await t.stationAt(13, 13, t.oem), undefined);
    assert.deepEqual((await t.byIds([own.id], t.oem)).stations, []);
    assert.equal((await t.byIds([own.id], t.cpoA)).stations[0]['is-private'], true);
  });

  it('should filter by connector type and speed on one connector, by operator and company type', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 14, lon: 14, type: 'Combo', speed: 150 }));
    await t.post(t.cpoB, aStationPost(t.cpoB, { lat: 14.1, lon: 14, type: 'Type2', speed: 11 }));
    const box = around(14, 14);
    const names = async (f: Record<string, unknown>) => (await t.post(t.oem, surface(box, f))).body.stations.map((s: any) => s.latitude);
    assert.deepEqual(await names({ 'connector-types': ['Combo'] }), [14]);
    assert.deepEqual(await names({ 'connector-speeds-greater': 50 }), [14]);
    assert.deepEqual(await names({ 'connector-speeds-less': 22 }), [14.1]);
    assert.deepEqual(await names({ 'connector-types': ['Type2'], 'connector-speeds-greater': 50 }), []);
    assert.deepEqual(await names({ 'operator-ids': [t.cpoB.id] }), [14.1]);
    assert.deepEqual(await names({ 'company-types': ['hotel'] }), []);
    assert.deepEqual(await names({ payable: ['PSA_EU'], 'company-types': [] }), [14, 14.1]);
  });

  it('should summarise connector statuses as the hub rules say', async () => {
    const evse = ['DE*8PS*E15001', 'DE*8PS*E15002'];
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 15, lon: 15, evse }));
    const summary = async (a: string, b: string) => {
      await t.post(t.cpoA, status(t.cpoA, evse[0]!, a));
      await t.post(t.cpoA, status(t.cpoA, evse[1]!, b));
      return (await t.stationAt(15, 15))['dynamic-status-summary'];
    };
    assert.equal(await summary('Unknown', 'Unknown'), null);
    assert.equal(await summary('Offline', 'Offline'), 'Offline');
    assert.equal(await summary('Offline', 'Reserved'), 'Occupied');
    assert.equal(await summary('Occupied', 'Available'), 'Available');
    assert.equal(await summary('Offline', 'Unknown'), null);
  });

  it('should answer station-get-by-ids without unknown ids, with the operator as a company', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 16, lon: 16, evse: ['DE*8PS*E16001'], extra: { 'total-parking': 4, notes: true } }));
    const s = await t.stationAt(16, 16);
    const body = await t.byIds([987654, s.id]);
    assert.equal(body.result.code, 0);
    assert.equal(body.stations.length, 1);
    const d = body.stations[0];
    assert.deepEqual([d.id, d['operator-company-id'], d['total-parking'], d.notes], [s.id, t.cpoA.id, 4, null]);
    assert.deepEqual(d.address, { street: 'Torgauer Str.', 'street-number': '12', city: 'Berlin', zip: '10829', country: 'DE' });
    assert.equal(d.contact.web, 'https://example.com');
    assert.equal(d.connectors[0]['external-id'], 'DE*8PS*E16001');
    assert.deepEqual(body.companies, [{ id: t.cpoA.id, name: 'Stadtwerke A', contact: null, address: null, description: null, type: null }]);
    const tooMany = await t.post(t.oem, { 'station-get-by-ids': { 'station-ids': [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } });
    assert.deepEqual([tooMany.status, tooMany.body.result.code], [400, 230]);
  });

  it('should answer the tariffs the operator set with the CLI, a connector\'s before its station\'s', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 17, lon: 17, evse: ['DE*8PS*E17001', 'DE*8PS*E17002'] }));
    const s = await t.stationAt(17, 17);
    const tariff = (price: string) => ({ currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price, step_size: 1 }] }] });
    const file = (name: string, v: unknown) => { const p = join(tmp.dir, name); writeFileSync(p, JSON.stringify(v)); return p; };
    // Four CLI runs at once: each pays the process start-up, and SQLite serialises their writes.
    const [setStation, setConnector, bad, unknown] = await Promise.all([
      oioi(['tariff', 'set', '--db', t.hub.db, '--station', String(s.id), file('s.json', tariff('0.39'))]),
      oioi(['tariff', 'set', '--db', t.hub.db, '--connector', 'de8pse17002', file('c.json', tariff('0.59'))]),
      oioi(['tariff', 'set', '--db', t.hub.db, '--station', String(s.id), file('bad.json', { currency: 'euro', elements: [] })]),
      oioi(['tariff', 'set', '--db', t.hub.db, '--station', '987654', file('u.json', tariff('1'))]),
    ]);
    assert.equal(setStation.code, 0, setStation.stderr);
    assert.equal(setConnector.code, 0, setConnector.stderr);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /tariff\.currency/);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no station 987654/);
    const r = await t.post(t.oem, { 'tariffs-get-by-station-ids': { 'station-ids': [s.id, 987654] } });
    assert.equal(r.body.result.code, 0);
    assert.equal(r.body.stations.length, 1);
    const prices = r.body.stations[0].connectors.map((c: any) => c.tariff.elements[0].price_components[0].price);
    assert.deepEqual(prices, ['0.39', '0.59']);
    assert.match(r.body.stations[0].connectors[0].tariff.last_updated, /\+00:00$/);
  });

  it('should show active reservations as end and own, own only for the reserving partner\'s user', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 18, lon: 18, evse: ['DE*8PS*E18001'] }));
    const connectorId = Number(Object.keys((await t.stationAt(18, 18))['connector-statuses'])[0]);
    // Reservations are the reservation slice's rows; written here as it writes them (migration 400).
    const ends = Date.now() + 3_600_000;
    await t.hub.query("INSERT INTO reservations (connector_id, partner_id, evco_id, starts_at, ends_at, state) VALUES (?, ?, 'DE*8PS*123456*7', ?, ?, 'active')",
      [connectorId, t.oem.id, Date.now() - 1000, ends]);
    const user = { 'identifier-type': 'evco-id', identifier: 'DE8PS1234567' };
    const reservation = async (asker: typeof t.oem, withUser: boolean) =>
      (await t.post(asker, surface([18, 18, 18, 18], undefined, withUser ? user : undefined))).body.stations[0]['connector-reservations']?.[String(connectorId)];
    assert.deepEqual(await reservation(t.oem, false), { end: new Date(Math.floor(ends / 1000) * 1000).toISOString().replace('.000Z', '+00:00'), own: false });
    assert.equal((await reservation(t.oem, true)).own, true);
    assert.equal((await reservation(t.cpoA, true)).own, false);
    const detail = (await t.byIds([(await t.stationAt(18, 18)).id])).stations[0];
    assert.equal(detail.connectors[0].reservation.own, false);
  });
});
