/** Pure list arithmetic behind replacing a whitelist, the same on both engines. */

/**
 * The sorted, duplicate-free difference of two lists: what `next` adds to `old` and removes from
 * it. `old` comes sorted bytewise from the database (SQLite's BINARY order, PostgreSQL's "C"
 * collation; JS string order agrees on ASCII); sorting `next` and walking both once is cheaper
 * than two Sets of 100k+ strings.
 * Example: `diffSorted(['A', 'B'], ['C', 'B', 'C'])` is `{ added: ['C'], removed: ['A'], total: 2 }`.
 */
export function diffSorted(old: readonly string[], next: readonly string[]): { added: string[]; removed: string[]; total: number } {
  const sorted = [...next].sort();
  const added: string[] = [];
  const removed: string[] = [];
  let i = 0;
  let total = 0;
  for (let j = 0; j < sorted.length; j++) {
    const u = sorted[j]!;
    if (j > 0 && sorted[j - 1] === u) continue;
    total++;
    while (i < old.length && old[i]! < u) removed.push(old[i++]!);
    if (i < old.length && old[i] === u) i++;
    else added.push(u);
  }
  while (i < old.length) removed.push(old[i++]!);
  return { added, removed, total };
}
