/**
 * Turns many small writes of one event-loop turn into one round trip, as `SqliteDatabase.write`
 * does for SQLite: callers queue an input, and at the end of the turn `run` receives every queued
 * input at once and answers one output per input, in order. Each caller gets its own result.
 */

interface Pending<I, O> {
  input: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/** A write queue flushed once per turn. Example: `const b = new Batcher((inputs) => runAll(inputs)); await b.push(x)`. */
export class Batcher<I, O> {
  private queue: Array<Pending<I, O>> = [];
  private scheduled = false;

  /** `run` must resolve with exactly one output per input, in the same order. */
  constructor(private readonly run: (inputs: I[]) => Promise<O[]>, private readonly maxBatch = 1000) {}

  /** Queues one input; resolves with its own output once the batch committed. */
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
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.run(batch.map((p) => p.input)).then(
        (outputs) => batch.forEach((p, i) => p.resolve(outputs[i]!)),
        (error) => batch.forEach((p) => p.reject(error)),
      );
    }
  }
}
