/**
 * The dashboard's JSON API end to end (docs/dashboard.md): a real `oioi hub` process, an operator
 * made with the real `oioi operator add`, real HTTP on loopback, partners talking OIOI to the same
 * hub. The browser side is tested by the front end's own suite.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi } from '../support/cli.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';
import { testEngines } from '../support/engines.js';

const PASSWORD = 'correct horse battery staple';
const CSRF = { 'x-requested-with': 'oioi-dashboard' };
const ANNA = 'DE*EMP*C00001*2';
const BERT = 'DE*BAD*C00002*3';
const up = { result: { code: 0, message: 'Success.' } };
/** A street-level box around the first two Berlin stations (S0 at 52.5/13.4, S1 at 52.51/13.4). */
const STREET = 'map?minLat=52.49&maxLat=52.515&minLon=13.39&maxLon=13.405&zoom=16';

/** A tiny cookie-keeping client of the dashboard API. */
class Browser {
  cookie = '';
  constructor(private readonly base: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = CSRF): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    let parsed: any = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON: kept as text */ }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get = (path: string) => this.call('GET', path, undefined, {});
}

for (const engine of testEngines()) describe(`dashboard API (${engine})`, () => {
  let hub: HubProcess;
  let api: string;
  let ops: Browser;
  let cpo: TestPartner;
  let emp: TestPartner;
  let bad: TestPartner;
  const mocks: Record<'cpo' | 'emp' | 'bad', MockPartner> = {} as never;
  const berlin: string[] = [];

  before(async () => {
    mocks.cpo = await startMockPartner(() => ({ result: { code: 0, message: 'Success.' }, 'session-start': { 'session-id': 'CPO-SESSION-1', 'is-stoppable': true } }));
    mocks.emp = await startMockPartner(() => up);
    mocks.bad = await startMockPartner(() => ({ status: 500, body: { result: { code: 100, message: 'down' } } }));
    // Automatic retries wait a minute: only the operator's retry brings the failing CDR back quickly.
    hub = await startHubProcess({ engine, args: ['--outbox-min-delay', '60000', '--outbox-max-delay', '60000'] });
    api = new URL('/dashboard/api/', hub.url).href;
    const added = await oioi(['operator', 'add', '--db', hub.db, '--name', 'olga', '--password-stdin', '--json'], { input: `${PASSWORD}\n` });
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).password, undefined, 'a password given on stdin is never printed');
    ops = new Browser(api);
    assert.equal((await login()).status, 200);
    // The partners come from the dashboard itself (one process start each through the CLI would
    // cost seconds); the test of partner creation below checks the answer in detail.
    const partner = async (body: Record<string, unknown>): Promise<TestPartner> => {
      const r = await ops.call('POST', 'partners', body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const p = r.body.partner;
      return { id: p.id, name: p.name, roles: p.roles, partnerIdentifier: p.partnerIdentifiers[0], apiKey: r.body.apiKey };
    };
    cpo = await partner({ name: 'Main CPO', roles: ['cpo'], endpoint: mocks.cpo.url, endpointKey: 'cpo-side-key' });
    emp = await partner({ name: 'Good EMP', roles: ['emp', 'oem'], endpoint: mocks.emp.url, evcoPrefixes: ['DEEMP'] });
    bad = await partner({ name: 'Broken EMP', roles: ['emp'], endpoint: mocks.bad.url, evcoPrefixes: ['DEBAD'] });
    await untilKnown(hub.url, [cpo.apiKey, emp.apiKey, bad.apiKey]);

    // 510 stations (just over the 500 the map lists) on a 0.2 x 0.26 degree grid over Berlin and
    // 30 close together in Munich, posted through OIOI, 32 at a time.
    const posts: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 540; i++) {
      const inBerlin = i < 510;
      const evse = `DE*CPO*E${i}`;
      if (inBerlin) berlin.push(evse);
      const [lat, lon] = inBerlin ? [52.5 + (i % 20) * 0.01, 13.4 + Math.floor(i / 20) * 0.01] : [48.1 + (i % 20) * 0.002, 11.6 + Math.floor(i / 20) * 0.002];
      posts.push(async () => {
        const r = await send(hub.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, `S${i}`, [evse], lat, lon));
        assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
      });
    }
    for (let i = 0; i < posts.length; i += 32) await Promise.all(posts.slice(i, i + 32).map((p) => p()));
    for (const evse of berlin.slice(0, 10)) await send(hub.url, cpo.apiKey, status(evse, 'Available'));
    for (const evse of berlin.slice(10, 15)) await send(hub.url, cpo.apiKey, status(evse, 'Offline'));
  });

  after(async () => {
    await hub?.stop();
    await hub?.cleanup();
    await Promise.all(Object.values(mocks).map((m) => m.close()));
  });

  const status = (evse: string, value: string) => ({ 'connector-post-status': { 'connector-id': evse, status: value, 'partner-identifier': cpo.partnerIdentifier } });
  const login = () => ops.call('POST', 'login', { name: 'olga', password: PASSWORD });

  it('should answer 401 without a session, even to a valid partner API key', async () => {
    for (const path of ['me', 'partners', 'map?minLat=0&maxLat=1&minLon=0&maxLon=1&zoom=3', 'traffic', 'events', 'stats']) {
      const r = await new Browser(api).get(path);
      assert.equal(r.status, 401, path);
      assert.deepEqual(r.body, { error: 'login required' });
    }
    for (const authorization of [`Token ${cpo.apiKey}`, `key=${cpo.apiKey}`]) {
      const r = await new Browser(api).call('GET', 'partners', undefined, { authorization });
      assert.equal(r.status, 401);
    }
  });

  it('should refuse a wrong password or an unknown operator with 401 and no cookie', async () => {
    for (const body of [{ name: 'olga', password: 'wrong' }, { name: 'nobody', password: PASSWORD }, {}]) {
      const b = new Browser(api);
      const r = await b.call('POST', 'login', body);
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('set-cookie'), null);
      assert.equal(typeof r.body.error, 'string');
    }
  });

  it('should log in with an HttpOnly SameSite=Strict cookie and log out for good', async () => {
    const b = new Browser(api);
    const r = await b.call('POST', 'login', { name: 'olga', password: PASSWORD });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { name: 'olga' });
    const cookie = r.headers.get('set-cookie')!;
    assert.match(cookie, /^oioi_dash=[A-Za-z0-9_-]{40,}; /);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/dashboard/);
    assert.deepEqual((await b.get('me')).body, { name: 'olga' });
    const stale = b.cookie;
    assert.equal((await b.call('POST', 'logout')).status, 204);
    b.cookie = stale; // the old cookie must not work once logged out
    assert.equal((await b.get('me')).status, 401);
  });

  it('should require the X-Requested-With header on login and on every change', async () => {
    const b = new Browser(api);
    assert.equal((await b.call('POST', 'login', { name: 'olga', password: PASSWORD }, {})).status, 403);
    assert.equal((await login()).status, 200);
    const before = (await ops.get('partners')).body.partners.length;
    const r = await ops.call('POST', 'partners', { name: 'Sneaky', roles: ['cpo'] }, {});
    assert.equal(r.status, 403);
    assert.equal((await ops.call('POST', 'outbox/retry', {}, { 'x-requested-with': 'XMLHttpRequest' })).status, 403);
    assert.equal((await ops.get('partners')).body.partners.length, before, 'nothing was created');
  });

  it('should answer a body over 64 KiB with 413 and create nothing', async () => {
    const before = (await ops.get('partners')).body.partners.length;
    // 1 MiB: far more than the socket buffers hold, so an answer sent while the rest is unread is lost to a reset.
    const r = await ops.call('POST', 'partners', { name: 'Huge', roles: ['cpo'], padding: 'x'.repeat(1024 * 1024) });
    assert.equal(r.status, 413);
    assert.match(r.body.error, /larger than 65536 bytes/);
    assert.equal((await ops.get('partners')).body.partners.length, before, 'nothing was created');
  });

  it('should cluster the map by zoom with exact counts, and list stations when few or zoomed in', async () => {
    const germany = 'minLat=47&maxLat=55&minLon=5&maxLon=16';
    const z5 = await ops.get(`map?${germany}&zoom=5`);
    assert.equal(z5.status, 200);
    assert.deepEqual(z5.body.stations, []);
    const clusters = [...z5.body.clusters].sort((a: any, b: any) => b.count - a.count);
    assert.equal(clusters.length, 2);
    assert.equal(clusters[0].count, 510);
    assert.deepEqual(clusters[0].statuses, { Available: 10, Occupied: 0, Reserved: 0, Offline: 5, Unknown: 495 });
    assert.ok(Math.abs(clusters[0].lat - 52.594) < 0.001 && Math.abs(clusters[0].lon - 13.5225) < 0.001, JSON.stringify(clusters[0]));
    assert.equal(clusters[1].count, 30);
    assert.equal(clusters[1].statuses.Unknown, 30);

    // Finer zoom, same box: more, smaller cells, still every station once.
    const z9 = await ops.get(`map?${germany}&zoom=9`);
    assert.ok(z9.body.clusters.length > 3, JSON.stringify(z9.body.clusters));
    assert.equal(z9.body.clusters.reduce((n: number, c: any) => n + c.count, 0), 540);
    // City zoom: the finest stored aggregates (cells of about a kilometre), merged two by two.
    const z12 = await ops.get('map?minLat=52.45&maxLat=52.75&minLon=13.35&maxLon=13.7&zoom=12');
    assert.ok(z12.body.clusters.length > z9.body.clusters.length);
    assert.equal(z12.body.clusters.reduce((n: number, c: any) => n + c.count, 0), 510);
    assert.equal(z12.body.clusters.reduce((n: number, c: any) => n + c.statuses.Available, 0), 10);
    assert.equal(z12.body.clusters.reduce((n: number, c: any) => n + c.statuses.Offline, 0), 5);

    // At most 500 stations in the box: the stations themselves, whatever the zoom.
    const munich = await ops.get('map?minLat=48&maxLat=48.2&minLon=11.5&maxLon=11.7&zoom=5');
    assert.deepEqual(munich.body.clusters, []);
    assert.equal(munich.body.stations.length, 30);
    // Street zoom: stations too, with their summary.
    const street = await ops.get(STREET);
    assert.deepEqual(street.body.clusters, []);
    const s0 = street.body.stations.find((s: any) => s.name === 'Station S0');
    assert.ok(s0, JSON.stringify(street.body.stations.slice(0, 3)));
    assert.equal(s0.summary, 'Available');
    assert.deepEqual(Object.keys(s0).sort(), ['id', 'lat', 'lon', 'name', 'summary']);

    for (const bad of ['minLat=5&maxLat=1&minLon=0&maxLon=1&zoom=3', 'minLat=0&maxLat=1&minLon=0&maxLon=1', 'minLat=0&maxLat=91&minLon=0&maxLon=1&zoom=3', 'minLat=x&maxLat=1&minLon=0&maxLon=1&zoom=3']) {
      const r = await ops.get(`map?${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(typeof r.body.error, 'string');
    }
  });

  it('should show a station with its owner, connectors and recent status changes', async () => {
    const street = await ops.get(STREET);
    const id = street.body.stations.find((s: any) => s.name === 'Station S1').id;
    await send(hub.url, cpo.apiKey, status(berlin[1]!, 'Occupied'));
    await send(hub.url, cpo.apiKey, status(berlin[1]!, 'Available'));
    const r = await eventually(async () => {
      const x = await ops.get(`stations/${id}`);
      return x.body.recentChanges?.length >= 2 && x;
    }, 5000, 'recent changes');
    assert.equal(r.body.id, id);
    assert.equal(r.body.name, 'Station S1');
    assert.equal(r.body.address.city, 'Berlin');
    assert.deepEqual(r.body.owner, { partnerId: cpo.id, name: 'Main CPO', partnerIdentifier: cpo.partnerIdentifier });
    assert.equal(r.body.summary, 'Available');
    assert.equal(r.body.connectors.length, 1);
    assert.equal(r.body.connectors[0].evseId, berlin[1]);
    assert.equal(r.body.connectors[0].status, 'Available');
    assert.match(r.body.connectors[0].statusChangedAt, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(r.body.recentChanges.slice(0, 2).map((c: any) => [c.evseId, c.status]), [[berlin[1], 'Available'], [berlin[1], 'Occupied']]);
    assert.equal((await ops.get('stations/999999')).status, 404);
  });

  it('should create a partner whose key works on the OIOI endpoint until it is revoked', async () => {
    // Online, not offline: an offline CPO with an endpoint is sent the whitelist at once, and that
    // (unreachable) outgoing call would race with the traffic counts checked below.
    const created = await ops.call('POST', 'partners', { name: 'New CPO', roles: ['cpo'], endpoint: 'https://cpo.example/oioi', endpointKey: 'their-key', rfidAuth: 'online' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { partner, apiKey } = created.body;
    assert.match(apiKey, /^oioi_/);
    assert.equal(partner.name, 'New CPO');
    assert.equal(partner.endpoint, 'https://cpo.example/oioi');
    assert.equal(partner.rfidAuth, 'online');
    assert.equal(partner.keys.length, 1);
    assert.ok(!JSON.stringify(partner).includes('their-key'), 'the endpoint key is never shown');

    const pid = partner.partnerIdentifiers[0];
    const posted = await send(hub.url, apiKey, aStationPost(pid, 'NEW-1', ['DE*NEW*E1'], 50.1, 8.7));
    assert.equal(posted.status, 200);
    assert.equal(posted.body.result.code, 0);

    const traffic = await ops.get(`traffic?partner=${partner.id}&call=station-post`);
    assert.equal(traffic.status, 200);
    const seen = traffic.body.messages[0];
    assert.equal(seen.direction, 'in');
    assert.equal(seen.partnerName, 'New CPO');
    assert.equal(seen.code, 0);
    assert.equal(typeof seen.latencyMs, 'number');
    // The whole secret (`oioi_<id>_<secret>`; base64url, so it may hold '_' itself: a piece cut at one was a few characters, found by chance).
    assert.ok(!JSON.stringify(traffic.body).includes(apiKey.slice('oioi_'.length + 17)), 'traffic holds no key');

    const patched = await ops.call('PATCH', `partners/${partner.id}`, { endpoint: 'https://cpo.example/v2', rfidAuth: 'none', name: 'Renamed CPO' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.partner.endpoint, 'https://cpo.example/v2');
    assert.equal(patched.body.partner.rfidAuth, 'none');
    assert.equal(patched.body.partner.name, 'Renamed CPO');
    assert.equal((await ops.call('PATCH', `partners/${partner.id}`, { rfidAuth: 'sometimes' })).status, 400);
    assert.equal((await ops.call('PATCH', 'partners/99999', { name: 'x' })).status, 404);

    const second = await ops.call('POST', `partners/${partner.id}/keys`);
    assert.equal(second.status, 201);
    assert.equal(second.body.key.revokedAt, null);
    const revoked = await ops.call('POST', `keys/${partner.keys[0].id}/revoke`);
    assert.deepEqual(revoked.body, { revoked: true });
    const refused = await send(hub.url, apiKey, aStationPost(pid, 'NEW-2', ['DE*NEW*E2'], 50.1, 8.7));
    assert.equal(refused.status, 401);
    assert.equal((await send(hub.url, second.body.apiKey, aStationPost(pid, 'NEW-2', ['DE*NEW*E2'], 50.1, 8.7))).body.result.code, 0);
    const unknownEvse = await send(hub.url, second.body.apiKey, { 'connector-post-status': { 'connector-id': 'DE*NEW*E99', status: 'Available', 'partner-identifier': pid } });
    assert.equal(unknownEvse.body.result.code, 181);
    assert.equal((await ops.call('POST', `keys/${partner.keys[0].id}/revoke`)).status, 404, 'a revoked key cannot be revoked twice');

    const listed = (await ops.get('partners')).body.partners.find((p: any) => p.id === partner.id);
    assert.ok(listed.keys.find((k: any) => k.id === partner.keys[0].id).revokedAt);
    // The post with the revoked key has no partner to count against: it was not authenticated.
    assert.deepEqual(listed.traffic, { requests: 3, errors: 1 }, 'two station-posts and one 181');

    for (const body of [{ roles: ['cpo'] }, { name: 'X', roles: [] }, { name: 'X', roles: ['pirate'] }, { name: 'X', roles: ['cpo'], endpoint: 'ftp://x' }, { name: 'X', roles: ['emp'], evcoPrefixes: ['D'] }]) {
      const r = await ops.call('POST', 'partners', body);
      assert.equal(r.status, 400, JSON.stringify(body));
    }
  });

  it('should stream a status event after a connector-post-status', async () => {
    const abort = new AbortController();
    const res = await fetch(new URL('events', api), { headers: { cookie: ops.cookie }, signal: abort.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await reader.read(); // the stream is open once its first comment arrives
    await send(hub.url, cpo.apiKey, status(berlin[20]!, 'Occupied'));
    const deadline = Date.now() + 5000;
    while (!/event: status\ndata: .*DE\*CPO\*E20"/.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    abort.abort();
    const line = /event: status\ndata: (.*DE\*CPO\*E20".*)\n/.exec(text);
    assert.ok(line, text);
    const event = JSON.parse(line[1]!);
    assert.equal(event.status, 'Occupied');
    assert.equal(event.summary, 'Occupied');
    assert.equal(typeof event.stationId, 'number');
    assert.ok(Math.abs(event.lat - 52.5) < 0.1);
    assert.match(text, /event: traffic\ndata: .*"call":"connector-post-status"/);
  });

  it('should find sessions and CDRs by EVCO ID, UID, EVSE ID and session id, with the CDR forwarding history', async () => {
    const evse = berlin[30]!;
    const started = await send(hub.url, emp.apiKey, { 'session-start': { user: { 'identifier-type': 'evco-id', identifier: ANNA }, 'connector-id': evse } });
    assert.equal(started.body.result.code, 0, JSON.stringify(started.body));
    const cdr = await send(hub.url, cpo.apiKey, aCdr(cpo.partnerIdentifier, 'CPO-SESSION-1', evse, { 'identifier-type': 'evco-id', identifier: ANNA }));
    assert.equal(cdr.body.result.code, 0);
    const card = await send(hub.url, cpo.apiKey, aCdr(cpo.partnerIdentifier, 'CARD-SESSION-1', berlin[31]!, { 'identifier-type': 'rfid', identifier: 'a2b3c4' }));
    assert.equal(card.body.result.code, 0);

    const byEvco = await ops.get(`search?q=${encodeURIComponent('de-emp-c00001-2')}`);
    assert.equal(byEvco.status, 200);
    assert.deepEqual(byEvco.body.cdrs.map((c: any) => c.sessionId), ['CPO-SESSION-1']);
    assert.equal(byEvco.body.sessions.length, 1);
    assert.equal(byEvco.body.sessions[0].evseId, evse);
    assert.equal(byEvco.body.sessions[0].partnerId, emp.id);
    const found = byEvco.body.cdrs[0];
    assert.equal(found.evcoId, ANNA);
    assert.equal(found.rfid, null);
    assert.equal(found.energyKwh, 12.5);
    assert.equal(found.cpoPartnerId, cpo.id);
    assert.equal(found.startedAt, '2024-05-01T10:00:00+00:00');

    const byUid = await ops.get('search?q=a2b3c4');
    assert.deepEqual(byUid.body.cdrs.map((c: any) => [c.sessionId, c.rfid]), [['CARD-SESSION-1', '00A2B3C4']]);
    const byEvse = await ops.get(`search?q=${encodeURIComponent(evse.toLowerCase().replace(/\*/g, ''))}`);
    assert.deepEqual(byEvse.body.cdrs.map((c: any) => c.sessionId), ['CPO-SESSION-1']);
    const bySession = await ops.get('search?q=CARD-SESSION-1');
    assert.deepEqual(bySession.body.cdrs.map((c: any) => c.sessionId), ['CARD-SESSION-1']);
    assert.deepEqual((await ops.get('search?q=DE*XXX*C99999*9')).body, { sessions: [], cdrs: [] });
    assert.equal((await ops.get('search?q=')).status, 400);

    await mocks.emp.waitFor('session-post');
    const details = await eventually(async () => {
      const d = await ops.get(`cdrs/${encodeURIComponent(found.id)}`);
      return d.body.forwarding?.[0]?.state === 'delivered' && d;
    }, 8000, 'CDR delivered');
    assert.equal(details.body.cdr.sessionId, 'CPO-SESSION-1');
    assert.equal(details.body.cdr.payload['session-id'], 'CPO-SESSION-1');
    assert.equal(details.body.forwarding.length, 1);
    const f = details.body.forwarding[0];
    assert.equal(f.partnerId, emp.id);
    assert.equal(f.partnerName, 'Good EMP');
    assert.equal(f.attempts, 1);
    assert.equal(f.lastCode, 0);
    assert.match(f.deliveredAt, /^\d{4}-/);
    assert.equal(found.id, 'CPO-SESSION-1', 'a CDR is named by its session id');
    assert.equal((await ops.get('cdrs/no-such-cdr')).status, 404);

    const out = await ops.get(`traffic?call=session-start`);
    assert.ok(out.body.messages.some((m: any) => m.direction === 'out' && m.partnerId === cpo.id && m.code === 0), JSON.stringify(out.body));
  });

  it('should show failing forwarding in the outbox and deliver it after an operator retry', async () => {
    const sent = await send(hub.url, cpo.apiKey, aCdr(cpo.partnerIdentifier, 'BERT-1', berlin[40]!, { 'identifier-type': 'evco-id', identifier: BERT }));
    assert.equal(sent.body.result.code, 0);
    await eventually(async () => {
      const o = await ops.get('outbox');
      return o.body.partners.find((p: any) => p.partnerId === bad.id)?.failing === 1;
    }, 8000, 'failing entry');
    const row = (await ops.get('outbox')).body.partners.find((p: any) => p.partnerId === bad.id);
    assert.deepEqual(row, { partnerId: bad.id, partnerName: 'Broken EMP', pending: 0, failing: 1, dead: 0, delivered: 0 });
    const cdr = (await ops.get('search?q=BERT-1')).body.cdrs[0];
    const history = (await ops.get(`cdrs/${encodeURIComponent(cdr.id)}`)).body.forwarding[0];
    assert.equal(history.state, 'failing');
    assert.match(history.lastError, /500/);

    const errors = await ops.get('traffic?call=session-post');
    assert.ok(errors.body.messages.some((m: any) => m.direction === 'out' && m.partnerId === bad.id && m.code === 100));

    mocks.bad.respond(() => up);
    assert.equal((await ops.call('POST', 'outbox/retry', { partnerId: 'x' })).status, 400);
    assert.equal((await ops.call('POST', 'outbox/retry', { partnerId: 99999 })).status, 404);
    const retried = await ops.call('POST', 'outbox/retry', { partnerId: bad.id });
    assert.deepEqual(retried.body, { retried: 1 });
    await eventually(async () => (await ops.get(`cdrs/${encodeURIComponent(cdr.id)}`)).body.forwarding[0].state === 'delivered', 8000, 'delivered after retry');
  });

  it('should report per-minute traffic, status totals and counts', async () => {
    const r = await ops.get('stats');
    assert.equal(r.status, 200);
    assert.equal(r.body.requestsPerMinute.length, 60);
    assert.equal(r.body.codesOverTime.length, 60);
    const posts = r.body.requestsPerMinute.reduce((n: number, m: any) => n + (m.byCall['station-post'] ?? 0), 0);
    assert.ok(posts >= 540, `station-posts counted: ${posts}`);
    assert.ok(r.body.codesOverTime.some((m: any) => (m.byCode['0'] ?? 0) > 0));
    assert.equal(r.body.totals.stations, 542);
    assert.equal(r.body.totals.connectors, 542);
    assert.equal(r.body.totals.partners, 4);
    const s = r.body.stationsByStatus;
    assert.equal(s.Available + s.Occupied + s.Reserved + s.Offline + s.Unknown, 542);
    assert.equal(s.Offline, 5);
  });

  it('should answer unknown API routes 404 and serve the front end or say how to build it', async () => {
    assert.equal((await ops.get('nothing-here')).status, 404);
    assert.equal((await ops.call('DELETE', 'partners')).status, 405);
    const page = await fetch(new URL('/dashboard/some/client/route', hub.url));
    assert.ok(page.status === 200 || page.status === 503);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    if (page.status === 503) assert.match(await page.text(), /npm run build/);
    assert.equal((await fetch(new URL('/elsewhere', hub.url))).status, 404);
  });
});
