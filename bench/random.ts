/**
 * Deterministic pseudo-random numbers by index, so the load generator and the data loader agree on
 * which station, connector or card request `i` means without sharing any array.
 */

/** A 32-bit hash of (i, seed) (a murmur3 finalizer). Example: `hashAt(5, 1) >>> 0`. */
export function hashAt(i: number, seed: number): number {
  let h = (Math.imul(i ^ (i / 4294967296), 0x9e3779b1) ^ Math.imul(seed, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0,1) for (i, seed). Example: `unitAt(5, 1) < 1`. */
export function unitAt(i: number, seed: number): number {
  return hashAt(i, seed) / 4294967296;
}

/** An integer in [0, n) for (i, seed). Example: `pickAt(5, 1, 100)`. */
export function pickAt(i: number, seed: number, n: number): number {
  return Math.floor(unitAt(i, seed) * n);
}
