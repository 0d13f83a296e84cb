/**
 * The hub under test is the compiled one in dist/, started through bin/oioi.js as `npm start`
 * runs it: the TypeScript sources run through tsx carry its transform's extra work per call
 * (esbuild's `__name` wrapper on every closure), which no user runs. A stale dist/ is rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './processes.js';
// @ts-expect-error: a plain ES module of the repository's scripts, without type declarations
import { pruneDist } from '../scripts/prune-dist.mjs';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(repoRoot, 'dist/cli/main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

/** Compiles src/ to dist/ when a source is newer than the build. Example: `ensureBuilt(log)`. */
export function ensureBuilt(log: (m: string) => void): void {
  // a source removed since the last build leaves its compiled file behind, and no newer source
  const pruned = pruneDist(join(repoRoot, 'src'), join(repoRoot, 'dist'));
  if (pruned.length === 0 && builtAt() >= newestMtime(join(repoRoot, 'src'))) return;
  log('dist/ is older than src/: compiling the hub (tsc -p tsconfig.build.json)');
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('compiling the hub failed; fix the build (npm run build) and run the benchmark again');
}
