/** A short soak (a few hundred misbehaving-partner calls) inside `npm test`; `npm run soak` runs 10,000. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from './soak.js';

it('should come back to its starting sockets, memory and latency after 300 calls to misbehaving partners', async () => {
  // A wide margin: this run shares the machine with the whole suite; it looks for leaks and wrong codes, and timing is npm run soak's job.
  const r = await runSoak({ calls: 300, concurrency: 16, marginMs: 8000 });
  assert.deepEqual(r.problems, [], JSON.stringify({ before: r.before, after: r.after, slowestMs: r.slowestMs }));
  assert.ok(r.after.sockets >= 1, 'the hub process was measured');
});
