/** status: connector-post-status on 100k connectors in random order, each answer after its commit. */
import { openStorage } from '../../src/storage/index.js';
import type { BodyPlan } from '../bodies.js';
import { measurePair, startHubProcess, type ScenarioEnv } from '../measure.js';
import { benchPartner, bulkLoadStations } from '../seed.js';
import { outcomeOf, type Outcome } from './outcome.js';

/** Example: `await statusScenario(env)`. */
export async function statusScenario(env: ScenarioEnv): Promise<Outcome> {
  const { config } = env;
  const storage = await openStorage(env.dbUrl);
  const operator = `T${env.run.slice(0, 2)}`;
  let cpo;
  try {
    cpo = await benchPartner(storage, `Status CPO ${env.run}`, ['cpo']);
    env.log(`status: loading ${config.connectors / 2} stations with ${config.connectors} connectors`);
    await bulkLoadStations(storage, [{ cpo, plan: { operator, run: env.run, seed: 11 } }], config.connectors / 2);
  } finally {
    await storage.close();
  }
  const plan: BodyPlan = { kind: 'status', partnerIdentifier: cpo.partnerIdentifier, operator, connectors: config.connectors, seed: 12 };
  const hub = await startHubProcess(env, 'status');
  const m = await measurePair(env, 'status', hub, plan, cpo.apiKey, { duration: config.duration });
  return outcomeOf('status', `connector-post-status, ${config.connectors} connectors, durable`, m, { ratio: 0.5, p99Ms: 20 });
}
