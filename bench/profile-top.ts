/**
 * Prints the top frames of a V8 CPU profile by self time, to see where a hub spends a scenario.
 * Usage: `node --import tsx bench/profile-top.ts DIR/status-hub.cpuprofile [N]`.
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] }

const [file, n = '30'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
const self = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const f = node.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + node.hitCount);
  total += node.hitCount;
}
const idle = [...self.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
process.stdout.write(`samples ${total}, idle ${((idle / total) * 100).toFixed(1)}%\n`);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  process.stdout.write(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}\n`);
}
