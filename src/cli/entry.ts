// Source twin of bin/oioi.js: lets tests and development run the command without a build
// (`node --import tsx src/cli/entry.ts hub`).
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`oioi: ${err?.message ?? err}\n`); process.exitCode = 2; },
);
