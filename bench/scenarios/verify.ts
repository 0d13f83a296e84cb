/** verify: rfid-verify of UIDs from the EMPs' whitelists (answered from a read: CDRs route by the lists' history). */
import { openStorage } from '../../src/storage/index.js';
import type { BodyPlan } from '../bodies.js';
import { measurePair, startHubProcess, type ScenarioEnv } from '../measure.js';
import { benchPartner, whitelistingEmps, WHITELIST_EMPS } from '../seed.js';
import { outcomeOf, type Outcome } from './outcome.js';

/** Example: `await verifyScenario(env)`. */
export async function verifyScenario(env: ScenarioEnv): Promise<Outcome> {
  const { config } = env;
  const storage = await openStorage(env.dbUrl);
  let cpo;
  try {
    cpo = await benchPartner(storage, `Verify CPO ${env.run}`, ['cpo']);
    env.log(`verify: loading ${config.uids} whitelisted UIDs over ${WHITELIST_EMPS} EMPs`);
    await whitelistingEmps(storage, `Verify EMP ${env.run}`, config.uids);
  } finally {
    await storage.close();
  }
  const plan: BodyPlan = { kind: 'verify', uids: config.uids, seed: 21 };
  const hub = await startHubProcess(env, 'verify');
  const m = await measurePair(env, 'verify', hub, plan, cpo.apiKey, { duration: config.duration });
  return outcomeOf('verify', `rfid-verify, ${config.uids} whitelisted UIDs`, m, { ratio: 0.6 });
}
