/**
 * Turns many small writes of one event-loop turn into one round trip, as `SqliteDatabase.write`
 * does for SQLite: callers queue an input, and at the end of the turn `run` receives every queued
 * input at once and answers one output per input, in order. Each caller gets its own result.
 */

/** A call queued for its turn's flush, which settles it. */
export interface Pending<I, O> {
  input: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the calls of one event-loop turn: `push` queues a call, and at the end of the turn
 * `flush` receives every call queued, in slices of at most `maxBatch`, each call to be settled by
 * it (resolved or rejected on its own). Example: `new TurnQueue((calls) => …).push(x)`.
 */
export class TurnQueue<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private scheduled = false;

  constructor(private readonly flushCalls: (calls: Array<Pending<I, O>>) => void, private readonly maxBatch = Infinity) {}

  /** Queues one input; resolves with what the flush settles it with. */
  push(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    for (let i = 0; i < queued.length; i += this.maxBatch) this.flushCalls(queued.slice(i, i + this.maxBatch));
  }
}

/**
 * Splits items into rounds in which no two share a key, each item in a round after that of every
 * earlier item it shares a key with, so that rounds run one after the other act as the items
 * would one after the other. Example: `inRounds(['a', 'b', 'a'], (x) => [x])` -> `[['a', 'b'], ['a']]`.
 */
export function inRounds<T>(items: readonly T[], keysOf: (item: T) => readonly string[]): T[][] {
  const rounds: T[][] = [];
  const lastRound = new Map<string, number>();
  for (const item of items) {
    const keys = keysOf(item);
    const r = keys.reduce((at, k) => Math.max(at, (lastRound.get(k) ?? -1) + 1), 0);
    for (const k of keys) lastRound.set(k, r);
    (rounds[r] ??= []).push(item);
  }
  return rounds;
}

/**
 * Runs `save` on each round in turn, a round larger than `maxBatch` in slices side by side (its
 * calls share no key). `save` settles each call itself, its errors included; should it throw all
 * the same (a bug), every call of that slice still waiting is rejected with the error, so that no
 * caller waits forever and no rejection goes unhandled. Example:
 * `await saveInRounds(inRounds(calls, keysOf), (slice) => saveSlice(slice), 256)`.
 */
export async function saveInRounds<I, O>(rounds: Array<Array<Pending<I, O>>>, save: (slice: Array<Pending<I, O>>) => Promise<void>, maxBatch = Infinity): Promise<void> {
  for (const round of rounds) {
    const slices: Array<Array<Pending<I, O>>> = [];
    for (let i = 0; i < round.length; i += maxBatch) slices.push(round.slice(i, i + maxBatch));
    await Promise.all(slices.map(async (slice) => {
      try {
        await save(slice);
      } catch (error) {
        for (const call of slice) call.reject(error); // a call already settled keeps its outcome
      }
    }));
  }
}

/**
 * A TurnQueue whose turn is saved in rounds of calls that share no key (inRounds), each round by
 * `save` in slices of at most `maxBatch` side by side (saveInRounds), so that calls sharing a key
 * act one after the other, in the order they came, however many the turn holds.
 * Example: `queueInRounds((input) => [input.sessionId], (slice) => saveSlice(slice), 256).push(input)`.
 */
export function queueInRounds<I, O>(keysOf: (input: I) => readonly string[], save: (slice: Array<Pending<I, O>>) => Promise<void>, maxBatch = Infinity): TurnQueue<I, O> {
  return new TurnQueue<I, O>((queued) => void saveInRounds(inRounds(queued, (q) => keysOf(q.input)), save, maxBatch));
}

/** Settles `call` with what `run` resolves with, or with its error. Example: `await settleWith(call, () => saveOne(call.input))`. */
export async function settleWith<I, O>(call: Pending<I, O>, run: () => Promise<O>): Promise<void> {
  try {
    call.resolve(await run());
  } catch (error) {
    call.reject(error);
  }
}

/** A write queue flushed once per turn. Example: `const b = new Batcher((inputs) => runAll(inputs)); await b.push(x)`. */
export class Batcher<I, O> {
  private readonly calls: TurnQueue<I, O>;

  /** `run` must resolve with exactly one output per input, in the same order. */
  constructor(run: (inputs: I[]) => Promise<O[]>, maxBatch = 1000) {
    this.calls = new TurnQueue<I, O>((batch) => {
      run(batch.map((p) => p.input)).then(
        (outputs) => batch.forEach((p, i) => p.resolve(outputs[i]!)),
        (error) => batch.forEach((p) => p.reject(error)),
      );
    }, maxBatch);
  }

  /** Queues one input; resolves with its own output once the batch committed. */
  push(input: I): Promise<O> {
    return this.calls.push(input);
  }
}
