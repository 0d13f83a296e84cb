#!/usr/bin/env node
// The `oioi` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { process.stderr.write(`oioi: ${err?.message ?? err}\n`); process.exitCode = 2; },
);
