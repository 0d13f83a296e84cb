/**
 * The operator dashboard in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) against a real `oioi hub` process fed through the OIOI API: login, the clustered
 * map, a station's panel, a live status change, a partner and key made in the browser and used on
 * the OIOI endpoint, and a CDR found by search with its forwarding. Screenshots go to test-results/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi, repoRoot } from '../support/cli.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(repoRoot, 'test-results');
const OPERATOR = { name: 'ops', password: 'correct horse battery staple' };
const BERLIN = { lat: 52.52, lon: 13.4 };
const HAMBURG = { lat: 53.55, lon: 9.99 };
/** More stations than one map answer lists (500), so the first view must be clustered. */
const BERLIN_STATIONS = 520;
const LIVE_EVSE = 'DE*CPO*EHL1';
const EVCO = 'DE*EMP*000001*2';

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`) });

/** Posts `bodies` with a few requests in flight at a time; every answer must be a success. */
async function postAll(url: string, key: string, bodies: unknown[], inFlight = 32): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const r = await send(url, key, bodies[next++]);
      assert.equal(r.body?.result?.code, 0, JSON.stringify(r.body));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

describe('operator dashboard in a browser', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM}` }, () => {
  let hub: HubProcess;
  let emp: MockPartner;
  let cpo: TestPartner;
  let browser: Browser;
  let page: Page;
  let base: string;

  before(async () => {
    const t0 = Date.now();
    assert.ok(existsSync(join(repoRoot, 'dist/dashboard/index.html')), 'build the dashboard first (node scripts/test.mjs does)');
    mkdirSync(SHOTS, { recursive: true });
    hub = await startHubProcess({ args: ['--outbox-min-delay', '100', '--outbox-max-delay', '400'] });
    base = `${new URL(hub.url).origin}/dashboard/`;
    emp = await startMockPartner();
    const added = await oioi(['operator', 'add', '--db', hub.db, '--name', OPERATOR.name, '--password-stdin'], { input: OPERATOR.password });
    assert.equal(added.code, 0, added.stderr);
    cpo = await hub.addPartner({ name: 'Berlin Charging', roles: 'cpo' });
    const empPartner = await hub.addPartner({ name: 'EMP Mobility', roles: 'emp', evcoPrefix: 'DEEMP', endpoint: emp.url, endpointKey: 'k-emp' });
    await untilKnown(hub.url, [cpo.apiKey, empPartner.apiKey]);
    // A dense city (clustered when zoomed out) and a quiet one with the station the test watches.
    const spread = (i: number, n: number) => ((i * 7919) % n) / n;
    const city = Array.from({ length: BERLIN_STATIONS }, (_, i) =>
      aStationPost(cpo.partnerIdentifier, `B${i}`, [`DE*CPO*EB${i}`], BERLIN.lat - 0.15 + spread(i, 97) * 0.3, BERLIN.lon - 0.25 + spread(i, 89) * 0.5));
    const quiet = [
      aStationPost(cpo.partnerIdentifier, 'HL', [LIVE_EVSE], HAMBURG.lat, HAMBURG.lon),
      aStationPost(cpo.partnerIdentifier, 'H2', ['DE*CPO*EH2A', 'DE*CPO*EH2B'], HAMBURG.lat + 0.02, HAMBURG.lon + 0.03),
    ];
    (quiet[0]!['station-post'].station as { name: string }).name = 'Hamburg Live';
    const launching = chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    launching.catch(() => undefined); // awaited below; an early failure must not go unhandled
    await postAll(hub.url, cpo.apiKey, [...city, ...quiet]);
    const statuses = [
      ...city.slice(0, 40).map((_, i) => ({ evse: `DE*CPO*EB${i}`, status: i % 3 === 0 ? 'Occupied' : i % 7 === 0 ? 'Offline' : 'Available' })),
      { evse: LIVE_EVSE, status: 'Available' }, { evse: 'DE*CPO*EH2A', status: 'Occupied' },
    ].map((s) => ({ 'connector-post-status': { 'connector-id': s.evse, status: s.status, 'partner-identifier': cpo.partnerIdentifier } }));
    await postAll(hub.url, cpo.apiKey, statuses);

    if (process.env.OIOI_TEST_TIMING) console.log(`seeded in ${Date.now() - t0} ms`);
    browser = await launching;
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
    await emp?.close();
    hub?.cleanup();
  });

  it('should refuse a wrong password and log in with the right one', async () => {
    await page.goto(base);
    await page.fill('input[name=name]', OPERATOR.name);
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await page.waitForSelector('.login .error');
    await shot(page, 'login');
    await page.fill('input[name=password]', OPERATOR.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('header.topbar .user');
    assert.equal(await page.textContent('header.topbar .user'), OPERATOR.name);
  });

  it('should show the stations as clusters coloured by status, then single stations when zoomed in', async () => {
    await page.waitForSelector('.cluster');
    await page.waitForSelector('[data-testid=map][data-busy="0"]');
    const counts = await page.$$eval('.cluster', (els) => els.map((e) => Number((e as HTMLElement).dataset.count)));
    assert.equal(counts.reduce((a, b) => a + b, 0), BERLIN_STATIONS + 2, `clusters hold every station: ${counts}`);
    assert.match(await page.getAttribute('.cluster >> nth=0', 'style') ?? '', /conic-gradient/);
    await page.waitForTimeout(300); // let the basemap draw for the picture
    await shot(page, 'map-clusters');
    // Click the cluster nearest Hamburg until its stations are drawn one by one.
    for (let i = 0; i < 8 && !(await page.$('.station-pin[title^="Hamburg Live"]')); i++) {
      // (No named helpers inside $$eval: tsx would wrap them in a helper the page does not have.)
      const where = await page.$$eval('.cluster', (els) => els.map((e) => [Number((e as HTMLElement).dataset.lat), Number((e as HTMLElement).dataset.lon)]));
      const away = where.map(([lat, lon]) => Math.hypot(lat! - HAMBURG.lat, lon! - HAMBURG.lon));
      const nearest = away.indexOf(Math.min(...away));
      const zoom = await page.getAttribute('[data-testid=map]', 'data-zoom');
      await page.click(`.cluster >> nth=${nearest}`);
      // Wait until the map has moved in and the hub's answer for the new view is drawn.
      await page.waitForFunction((z) => {
        const map = document.querySelector<HTMLElement>('[data-testid=map]')!;
        return map.dataset.zoom !== z && map.dataset.busy === '0';
      }, zoom);
    }
    await page.waitForSelector('.station-pin[title^="Hamburg Live"]');
    assert.equal(await page.getAttribute('.station-pin[title^="Hamburg Live"]', 'data-summary'), 'Available');
  });

  it('should open a station and show its connectors and statuses', async () => {
    await page.click('.station-pin[title^="Hamburg Live"]');
    await page.waitForSelector(`[data-testid=connectors] tr[data-evse="${LIVE_EVSE}"]`);
    const panel = await page.textContent('[data-testid=station-panel]');
    assert.match(panel ?? '', /Berlin Charging/);
    assert.match(await page.textContent(`tr[data-evse="${LIVE_EVSE}"]`) ?? '', /Available/);
    await shot(page, 'station');
  });

  it('should recolour the station live after a connector-post-status', async () => {
    const r = await send(hub.url, cpo.apiKey, { 'connector-post-status': { 'connector-id': LIVE_EVSE, status: 'Occupied', 'partner-identifier': cpo.partnerIdentifier } });
    assert.equal(r.body.result.code, 0);
    await page.waitForSelector('.station-pin[title^="Hamburg Live"][data-summary="Occupied"]', { timeout: 5000 });
    await page.waitForFunction((evse) => /Occupied/.test(document.querySelector(`tr[data-evse="${evse}"]`)?.textContent ?? ''), LIVE_EVSE, { timeout: 5000 });
    await page.waitForSelector('[data-testid=recent-changes] .badge[data-status="Occupied"]');
    await shot(page, 'live-status');
  });

  it('should create a partner and a key that works on the OIOI endpoint until revoked', async () => {
    await page.click('nav a[data-route=partners]');
    await page.click('[data-testid=add-partner]');
    await page.fill('[data-testid=new-partner] input[name=name]', 'Roaming App');
    await page.check('[data-testid=new-partner] input[name=role-emp]');
    await page.fill('[data-testid=new-partner] input[name=evcoPrefixes]', 'NLAPP');
    await page.click('[data-testid=new-partner] button[type=submit]');
    const key = await (await page.waitForSelector('[data-testid=new-key]')).inputValue();
    assert.match(key, /^oioi_/);
    assert.match(await page.textContent('.key-banner') ?? '', /won't see it again/);
    await page.waitForSelector('tr[data-partner="Roaming App"]');
    await shot(page, 'partner-key');
    // The new EMP finds the stations around Hamburg with its key.
    const box = { 'min-lat': HAMBURG.lat - 0.1, 'max-lat': HAMBURG.lat + 0.1, 'min-long': HAMBURG.lon - 0.1, 'max-long': HAMBURG.lon + 0.1 };
    const found = await eventually(async () => {
      const res = await send(hub.url, key, { 'station-get-surface': box });
      return res.body?.result?.code === 0 && res;
    }, 3000, 'the new key accepted');
    assert.equal(found.body.stations.length, 2);
    // Editing its endpoint and RFID mode shows at once in the list.
    await page.click('tr[data-partner="Roaming App"] button:has-text("Edit")');
    await page.fill('[data-testid=edit-partner] input[name=endpoint]', emp.url);
    await page.selectOption('[data-testid=edit-partner] select[name=rfidAuth]', 'online');
    await page.click('[data-testid=edit-partner] button[type=submit]');
    await page.waitForSelector('[data-testid=edit-partner]', { state: 'detached' });
    await page.waitForSelector('tr[data-partner="Roaming App"] td:text-is("online")');
    const row = await page.textContent('tr[data-partner="Roaming App"]');
    assert.match(row ?? '', /online/);
    assert.ok(row?.includes(emp.url.slice(0, 20)), row ?? '');
    // Revoking it in the browser shuts it out.
    await page.click('tr[data-partner="Roaming App"] button.link');
    await page.click('[data-testid=keys] button.danger');
    await page.waitForSelector('[data-testid=keys] tr:not(:has(button.danger))');
    await eventually(async () => (await send(hub.url, key, { 'station-get-surface': box })).body?.result?.code !== 0, 3000, 'the revoked key refused');
  });

  it('should list the traffic with call, partner, code and latency', async () => {
    await page.click('nav a[data-route=traffic]');
    await page.waitForSelector('[data-testid=traffic] tr[data-call="connector-post-status"]');
    const row = await page.textContent('[data-testid=traffic] tr[data-call="connector-post-status"]');
    assert.match(row ?? '', /Berlin Charging/);
    assert.match(row ?? '', /\d+ ms/);
    // Filtered by call, a new message arrives live at the top.
    await page.fill('input[name=call]', 'connector-post-status');
    await page.press('input[name=call]', 'Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=traffic] tbody tr')].every((tr) => tr.getAttribute('data-call') === 'connector-post-status'));
    const before = await page.$$eval('[data-testid=traffic] tbody tr', (trs) => trs.length);
    const r = await send(hub.url, cpo.apiKey, { 'connector-post-status': { 'connector-id': 'DE*CPO*EH2B', status: 'Offline', 'partner-identifier': cpo.partnerIdentifier } });
    assert.equal(r.body.result.code, 0);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=traffic] tbody tr').length > n, before);
    await shot(page, 'traffic');
  });

  it('should find a CDR by its session id and show where it was forwarded', async () => {
    const r = await send(hub.url, cpo.apiKey, aCdr(cpo.partnerIdentifier, 'dash-cdr-1', LIVE_EVSE, { 'identifier-type': 'evco-id', identifier: EVCO }));
    assert.equal(r.body.result.code, 0);
    await emp.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'dash-cdr-1');
    await page.click('nav a[data-route=search]');
    await page.fill('input[name=q]', 'dash-cdr-1');
    await page.click('form[role=search] button[type=submit]');
    await page.click('[data-testid=cdrs] tr[data-cdr]');
    await page.waitForSelector('[data-testid=forwarding] tr[data-partner="EMP Mobility"][data-state="delivered"]', { timeout: 8000 });
    assert.match(await page.textContent('[data-testid=cdr-detail]') ?? '', new RegExp(LIVE_EVSE.replace(/\*/g, '\\*')));
    await shot(page, 'cdr');
  });

  it('should show a failing forward in the outbox and queue it again with the retry button', async () => {
    const up = { result: { code: 0, message: 'Success.' } };
    emp.respond((x) => (x.payload?.['session-id'] === 'dash-cdr-2' ? { status: 503, body: { result: { code: 100, message: 'maintenance' } } } : up));
    const r = await send(hub.url, cpo.apiKey, aCdr(cpo.partnerIdentifier, 'dash-cdr-2', LIVE_EVSE, { 'identifier-type': 'evco-id', identifier: EVCO }));
    assert.equal(r.body.result.code, 0);
    await page.click('nav a[data-route=outbox]');
    const failing = '[data-testid=outbox] tr[data-partner="EMP Mobility"] td:nth-child(3)';
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.textContent) >= 1, failing, { timeout: 8000 });
    await shot(page, 'outbox');
    await page.click('[data-testid=outbox] tr[data-partner="EMP Mobility"] button');
    assert.match(await (await page.waitForSelector('[role=status]')).textContent() ?? '', /^[1-9]\d* entr(y|ies) queued again$/);
    emp.respond(() => up);
    // Once the EMP is back, the entry is delivered: nothing failing, both CDRs delivered.
    const row = '[data-testid=outbox] tr[data-partner="EMP Mobility"]';
    await page.waitForFunction((sel) => {
      const cells = [...document.querySelectorAll(`${sel} td`)].map((td) => td.textContent);
      return cells[2] === '0' && cells[4] === '2';
    }, row, { timeout: 8000 });
  });

  it('should show the stats', async () => {
    await page.click('nav a[data-route=stats]');
    await page.waitForSelector('[data-testid=totals]');
    assert.match(await page.textContent('[data-testid=totals]') ?? '', new RegExp(`${BERLIN_STATIONS + 2}\\s*stations`));
    await page.waitForSelector('[data-testid=chart-calls] canvas');
    await shot(page, 'stats');
  });
});
