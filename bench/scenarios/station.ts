/** station: a CPO's full load of stations by station-post, one station (two connectors) per request. */
import { openStorage } from '../../src/storage/index.js';
import type { BodyPlan } from '../bodies.js';
import { measurePair, startHubProcess, type ScenarioEnv } from '../measure.js';
import { benchPartner } from '../seed.js';
import { outcomeOf, type Outcome } from './outcome.js';

/** Example: `await stationScenario(env)`. */
export async function stationScenario(env: ScenarioEnv): Promise<Outcome> {
  const { config } = env;
  const storage = await openStorage(env.dbUrl);
  let cpo;
  try {
    cpo = await benchPartner(storage, `Station CPO ${env.run}`, ['cpo']);
  } finally {
    await storage.close();
  }
  const plan: BodyPlan = { kind: 'station', partnerIdentifier: cpo.partnerIdentifier, operator: `S${env.run.slice(0, 2)}`, run: env.run, seed: 41 };
  const hub = await startHubProcess(env, 'station');
  // Capped in time: on a machine busy with other work 100k posts could take far longer than the run may.
  const maxSeconds = config.quick ? 10 : 90;
  const m = await measurePair(env, 'station', hub, plan, cpo.apiKey, { amount: config.stationPosts, maxSeconds });
  const posted = m.hub.requests;
  const what = posted >= config.stationPosts ? `station-post of ${posted} new stations` : `station-post of new stations (${posted} of ${config.stationPosts} within ${maxSeconds} s)`;
  return outcomeOf('station', what, m, { ratio: 0.35 }, { stationsPosted: posted });
}
