/** Bounded concurrency for the demo's bulk pushes: the hub's keep-alive pool stays small and warm. */

/**
 * Runs `fn` over `items`, at most `limit` at a time, and resolves with the results in order.
 * Example: `await mapLimit(stations, 8, (s) => client.send('station-post', …))`.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
