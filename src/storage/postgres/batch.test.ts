/** The turn queue and the rounds the PostgreSQL batches are cut into. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher, inRounds, saveInRounds, TurnQueue, type Pending } from './batch.js';

describe('PostgreSQL batches', () => {
  it('should put items sharing a key in successive rounds, each after every earlier item it shares one with', () => {
    assert.deepEqual(inRounds(['a', 'b', 'a', 'c', 'a'], (x) => [x]), [['a', 'b', 'c'], ['a'], ['a']]);
    // 'ab' waits for 'a'; 'bc' waits for 'ab' (round 1), so goes to round 2; 'd' shares nothing.
    const keys = (x: string) => [...x];
    assert.deepEqual(inRounds(['a', 'ab', 'bc', 'd'], keys), [['a', 'd'], ['ab'], ['bc']]);
    assert.deepEqual(inRounds([], keys), []);
  });

  it('should hand the calls of one turn to one flush, in slices, and let each call be settled on its own', async () => {
    const flushes: number[][] = [];
    const q = new TurnQueue<number, string>((calls) => {
      flushes.push(calls.map((c) => c.input));
      for (const c of calls) (c.input % 2 ? c.reject(new Error(`odd ${c.input}`)) : c.resolve(`even ${c.input}`));
    }, 3);
    const out = await Promise.all([1, 2, 3, 4].map((n) => q.push(n).catch((e: Error) => e.message)));
    assert.deepEqual(out, ['odd 1', 'even 2', 'odd 3', 'even 4']);
    assert.deepEqual(flushes, [[1, 2, 3], [4]]);
    await q.push(6);
    assert.deepEqual(flushes.at(-1), [6], 'a later turn, a later flush');
  });

  it('should answer each Batcher input with its own output, and fail them all when the batch fails', async () => {
    const b = new Batcher<number, number>(async (xs) => (xs.includes(0) ? Promise.reject(new Error('no zero')) : xs.map((x) => x * 10)));
    assert.deepEqual(await Promise.all([1, 2].map((x) => b.push(x))), [10, 20]);
    assert.deepEqual(await Promise.all([0, 1].map((x) => b.push(x).catch((e: Error) => e.message))), ['no zero', 'no zero']);
  });

  it('should reject the calls a round left waiting when its save throws, and go on with the next round', async () => {
    const call = (input: string) => {
      const c = { input } as Pending<string, string> & { outcome?: string };
      c.resolve = (v) => (c.outcome ??= `ok ${v}`);
      c.reject = (e) => (c.outcome ??= `failed ${(e as Error).message}`);
      return c;
    };
    const [a, b, c] = [call('a'), call('b'), call('c')];
    await saveInRounds([[a, b], [c]], async (round) => {
      if (round[0] === a) {
        a.resolve('a');
        throw new Error('bug');
      }
      for (const x of round) x.resolve(x.input);
    });
    assert.deepEqual([a.outcome, b.outcome, c.outcome], ['ok a', 'failed bug', 'ok c']);
  });

  it('should save a round larger than maxBatch in slices, all of a round before the next', async () => {
    const calls = (xs: string[]) => xs.map((input) => ({ input, resolve: () => {}, reject: () => {} }) as Pending<string, void>);
    const seen: string[] = [];
    await saveInRounds([calls(['a', 'b', 'c', 'd', 'e']), calls(['a'])], async (slice) => {
      const inputs = slice.map((c) => c.input).join(',');
      seen.push(`start ${inputs}`);
      await new Promise((r) => setTimeout(r, 5 * slice.length)); // the slices of one round overlap
      seen.push(`end ${inputs}`);
    }, 2);
    assert.deepEqual(seen, ['start a,b', 'start c,d', 'start e', 'end e', 'end a,b', 'end c,d', 'start a', 'end a']);
  });
});
