/**
 * `oioi migrate --from URL --to URL [--force] [--batch N] [--json]`: copies a hub's data between
 * storage engines (shared/cli.md), e.g. from the embedded SQLite file to the PostgreSQL that
 * several hubs will share. Stop the hubs on the source first: rows written during the copy may be
 * missed.
 */
import { copyStorage, CopyRefused, openDump, redact, storageEngineOf, type DumpConnection } from '../../storage/copy.js';
import { readFlags, required, UsageError } from '../flags.js';

/** Runs the command. Example: `await run(['--from', 'sqlite:./data/oioi.db', '--to', 'postgres://hub@db/oioi'])`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    force: { type: 'boolean', default: false },
    batch: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  });
  const from = required(values, 'from');
  const to = required(values, 'to');
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch takes a whole number from 1 to 10000');
  let source: DumpConnection | undefined;
  let target: DumpConnection | undefined;
  try {
    storageEngineOf(from);
    storageEngineOf(to);
    if (from === to) throw new CopyRefused('--from and --to name the same database');
    source = await openDump(from, { mustExist: true });
    target = await openDump(to, { mustExist: false });
    const report = await copyStorage(source, target, {
      force: values.force === true,
      batchSize,
      onTable: values.json ? undefined : (table, rows) => process.stdout.write(`${table.padEnd(28)} ${String(rows).padStart(10)}\n`),
    });
    const total = report.reduce((n, r) => n + r.rows, 0);
    if (values.json) process.stdout.write(JSON.stringify({ from: redact(from), to: redact(to), tables: report, total }) + '\n');
    else process.stdout.write(`copied ${total} rows from ${redact(from)} to ${redact(to)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CopyRefused) throw new UsageError(err.message);
    process.stderr.write(`oioi migrate: ${(err as Error)?.message ?? err}\n`);
    return 1;
  } finally {
    await source?.close().catch(() => undefined);
    await target?.close().catch(() => undefined);
  }
}
