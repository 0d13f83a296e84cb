/**
 * cdr: session-post of new sessions. Each CDR is stored with its outbox row in one transaction;
 * the hub's outbox worker delivers them to the EMP meanwhile (a sink in this process), as it would
 * in production.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStorage } from '../../src/storage/index.js';
import type { BodyPlan } from '../bodies.js';
import { measurePair, startHubProcess, type ScenarioEnv } from '../measure.js';
import { benchPartner, bulkLoadStations } from '../seed.js';
import { outcomeOf, type Outcome } from './outcome.js';

/** An EMP endpoint that accepts every CDR and counts them. */
async function startSink(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"result":{"code":0,"message":"Success."}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v4/request`,
    received: () => received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Example: `await cdrScenario(env)`. */
export async function cdrScenario(env: ScenarioEnv): Promise<Outcome> {
  const { config } = env;
  const sink = await startSink();
  try {
    const storage = await openStorage(env.dbUrl);
    const operator = `C${env.run.slice(0, 2)}`;
    const evcoProvider = `E${env.run.slice(0, 2)}`;
    const stations = Math.min(2_000, config.connectors / 2);
    let cpo;
    try {
      cpo = await benchPartner(storage, `CDR CPO ${env.run}`, ['cpo']);
      await benchPartner(storage, `CDR EMP ${env.run}`, ['emp'], { evcoPrefixes: [`DE${evcoProvider}`], endpoint: { url: sink.url, apiKey: 'sink-key' } });
      await bulkLoadStations(storage, [{ cpo, plan: { operator, run: env.run, seed: 31 } }], stations);
    } finally {
      await storage.close();
    }
    const plan: BodyPlan = { kind: 'cdr', partnerIdentifier: cpo.partnerIdentifier, operator, connectors: stations * 2, evcoProvider, run: env.run, seed: 32 };
    const hub = await startHubProcess(env, 'cdr');
    const m = await measurePair(env, 'cdr', hub, plan, cpo.apiKey, { duration: config.duration });
    const delivered = sink.received();
    const outcome = outcomeOf('cdr', 'session-post of new sessions, outbox row each', m, { ratio: 0.4 }, { deliveredToEmp: delivered });
    if (delivered === 0) {
      outcome.misses.push('the outbox delivered no CDR to the EMP');
      outcome.pass = false;
    }
    return outcome;
  } finally {
    await sink.close();
  }
}
