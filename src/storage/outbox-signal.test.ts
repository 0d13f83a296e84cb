/**
 * The outbox worker's wake-ups: signals made before the next microtask reach a listener as one
 * call, so a batch of CDRs (or a batch SQLite runs twice after a failed write) wakes it once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onOutboxSignal, signalOutbox } from './outbox-signal.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('signalOutbox', () => {
  it('should give a listener the signals of one turn as one call naming every partner once', async () => {
    const key = {};
    const calls: Array<readonly number[] | undefined> = [];
    const off = onOutboxSignal(key, (p) => calls.push(p));
    signalOutbox(key, [3, 1]);
    signalOutbox(key, [1, 2]);
    assert.deepEqual(calls, [], 'not before the microtask: the writer has not committed yet');
    await tick();
    assert.equal(calls.length, 1);
    assert.deepEqual([...calls[0]!].sort(), [1, 2, 3]);
    signalOutbox(key, [4]);
    await tick();
    assert.deepEqual(calls.slice(1), [[4]], 'a later turn gets a call of its own');
    off();
  });

  it('should name no partner (every queue) when one signal of the turn did not know them', async () => {
    const key = {};
    const calls: Array<readonly number[] | undefined> = [];
    const off = onOutboxSignal(key, (p) => calls.push(p));
    signalOutbox(key, [1]);
    signalOutbox(key);
    signalOutbox(key, [2]);
    await tick();
    assert.deepEqual(calls, [undefined]);
    off();
  });

  it('should keep the keys apart and call every listener of a key', async () => {
    const [one, two] = [{}, {}];
    const calls: string[] = [];
    const offs = [
      onOutboxSignal(one, (p) => calls.push(`a${p}`)),
      onOutboxSignal(one, (p) => calls.push(`b${p}`)),
      onOutboxSignal(two, (p) => calls.push(`c${p}`)),
    ];
    signalOutbox(one, [1]);
    signalOutbox(two, [2]);
    await tick();
    assert.deepEqual(calls.sort(), ['a1', 'b1', 'c2']);
    for (const off of offs) off();
  });
});
