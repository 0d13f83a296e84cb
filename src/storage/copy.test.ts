import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyStorage, CopyRefused, dependencyOrder, openDump, redact, storageEngineOf, type DumpTable } from './copy.js';
import { openStorage } from './index.js';

const table = (name: string, references: string[] = []): DumpTable => ({ name, columns: [], references });

describe('storage copy: planning', () => {
  it('should put every table after the tables it references', () => {
    const order = dependencyOrder([table('api_keys', ['partners']), table('connectors', ['stations']), table('stations', ['partners']), table('partners'), table('tree', ['tree'])]).map((t) => t.name);
    assert.ok(order.indexOf('partners') < order.indexOf('api_keys'));
    assert.ok(order.indexOf('partners') < order.indexOf('stations') && order.indexOf('stations') < order.indexOf('connectors'));
    assert.equal(order.length, 5);
  });

  it('should refuse foreign keys that form a cycle', () => {
    assert.throws(() => dependencyOrder([table('a', ['b']), table('b', ['a'])]), /cycle/);
  });

  it('should tell the engine of a URL and refuse anything else with a clear message', () => {
    assert.equal(storageEngineOf('sqlite:./data/oioi.db'), 'sqlite');
    assert.equal(storageEngineOf('postgres://oioi:secret@db:5432/oioi'), 'postgres');
    assert.equal(storageEngineOf('postgresql://db/oioi'), 'postgres');
    assert.throws(() => storageEngineOf('mysql://db/oioi'), (e: unknown) => e instanceof CopyRefused && /sqlite:<path> or postgres:\/\//.test(e.message));
    assert.throws(() => storageEngineOf('postgres://db:5432'), (e: unknown) => e instanceof CopyRefused && /not a valid postgres/.test(e.message));
    assert.throws(() => storageEngineOf('./data/oioi.db'), CopyRefused);
  });

  it('should hide the password of a URL in messages', () => {
    assert.equal(redact('postgres://oioi:s3cr3t@db:5432/oioi'), 'postgres://oioi:***@db:5432/oioi');
    assert.equal(redact('sqlite:./data/oioi.db'), 'sqlite:./data/oioi.db');
  });
});

describe('storage copy: SQLite to SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-copy-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const url = (name: string) => `sqlite:${join(dir, name)}`;

  it('should copy a hub, rebuild the spatial index, and refuse a filled target unless forced', async () => {
    const source = await openStorage(url('a.db'));
    const cpo = await source.partners.add({ name: 'CPO', roles: ['cpo'], partnerIdentifiers: ['P1'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
    const base = { ownerPartnerId: cpo.id, ownerIdentifier: 'P1', isFreeCharge: false, deleted: false, data: {}, at: 1 };
    await source.poi.saveStation({ ...base, cpoStationId: 'S1', name: 'One', latitude: 52.5, longitude: 13.4, isPrivate: false, connectors: [{ evseId: 'DE*8PS*E1', evseKey: 'DE8PSE1', type: 'Type2', speed: 22 }] });
    await source.poi.saveStation({ ...base, cpoStationId: 'S2', name: 'Two', latitude: 52.6, longitude: 13.5, isPrivate: true, connectors: [{ evseId: 'DE*8PS*E2', evseKey: 'DE8PSE2', type: 'Type2', speed: 50 }] });
    await source.close();

    const from = await openDump(url('a.db'), { mustExist: true });
    const to = await openDump(url('b.db'), { mustExist: false });
    try {
      const report = await copyStorage(from, to, { batchSize: 1 });
      assert.equal(report.find((r) => r.table === 'stations')?.rows, 2);
      assert.equal(report.find((r) => r.table === 'connectors')?.rows, 2);
      assert.equal(report.find((r) => r.table === 'partners')?.rows, 1);
      await assert.rejects(copyStorage(from, to), (e: unknown) => e instanceof CopyRefused && /already holds data/.test(e.message));
      assert.equal((await copyStorage(from, to, { force: true })).find((r) => r.table === 'stations')?.rows, 2);
    } finally {
      await from.close();
      await to.close();
    }

    const copy = await openStorage(url('b.db'));
    try {
      const box = { minLat: 52, maxLat: 53, minLon: 13, maxLon: 14, limit: 10 };
      assert.deepEqual((await copy.poi.surface({ ...box, askerPartnerId: 999 })).stations.map((s) => s.name), ['One'], 'others see the public station only');
      assert.equal((await copy.poi.surface({ ...box, askerPartnerId: cpo.id })).stations.length, 2, 'the owner still sees its private station');
      const added = await copy.partners.add({ name: 'Next', roles: ['emp'], partnerIdentifiers: ['P2'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
      assert.equal(added.id, cpo.id + 1);
    } finally {
      await copy.close();
    }
  });
});

