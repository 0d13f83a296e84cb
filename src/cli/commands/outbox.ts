/**
 * `oioi outbox list|retry`: the forwarding queue as the operator sees it (shared/cli.md): what is
 * pending, failing (and why), delivered, dead; and putting dead or failing entries back in line.
 * A running hub on the same database picks retried entries up at its next poll (about a second).
 */
import type { OutboxEntry, OutboxState } from '../../storage/outbox.js';
import { dbFlag, withStorage } from '../db-flag.js';
import { readFlags, UsageError } from '../flags.js';

const states: readonly OutboxState[] = ['pending', 'failing', 'delivered', 'dead', 'superseded'];
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function view(e: OutboxEntry, partnerName: string | undefined) {
  return {
    id: e.id,
    state: e.state,
    partner: e.partnerId,
    partnerName: partnerName ?? null,
    call: e.call,
    subject: e.subject ?? null,
    attempts: e.attempts,
    lastError: e.lastError ?? null,
    lastCode: e.lastCode ?? null,
    // Its last failure was the partner's own: the partner's other entries wait until it gets through.
    holdsPartner: e.holdsPartner === true,
    createdAt: iso(e.createdAt),
    nextAttemptAt: e.state === 'pending' || e.state === 'failing' ? iso(e.nextAttemptAt) : null,
    deliveredAt: iso(e.deliveredAt) ?? null,
  };
}

async function list(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    ...dbFlag,
    json: { type: 'boolean', default: false },
    state: { type: 'string' },
    partner: { type: 'string' },
    limit: { type: 'string', default: '1000' },
  });
  const state = values.state as OutboxState | undefined;
  if (state !== undefined && !states.includes(state)) throw new UsageError(`--state takes one of ${states.join(', ')}`);
  const partnerId = values.partner === undefined ? undefined : Number(values.partner);
  if (partnerId !== undefined && !(Number.isInteger(partnerId) && partnerId > 0)) throw new UsageError('--partner takes the numeric partner id (see oioi partner list)');
  const limit = Number(values.limit);
  if (!(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit takes a whole number >= 1');
  return withStorage(values.db as string, async (storage) => {
    const names = new Map((await storage.partners.list()).map((p) => [p.id, p.name]));
    const entries = await storage.outbox.list({ ...(state ? { state } : {}), ...(partnerId ? { partnerId } : {}), limit });
    const rows = entries.map((e) => view(e, names.get(e.partnerId)));
    if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
    else if (rows.length === 0) process.stdout.write('outbox is empty\n');
    else {
      process.stdout.write('id\tstate\tattempts\tpartner\tcall\tsubject\tlast error\n');
      for (const r of rows) process.stdout.write(`${r.id}\t${r.state}${r.holdsPartner ? ' (holds partner)' : ''}\t${r.attempts}\t${r.partner} ${r.partnerName ?? '?'}\t${r.call}\t${r.subject ?? '-'}\t${r.lastError ?? '-'}\n`);
    }
    return 0;
  });
}

async function retry(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    ...dbFlag,
    id: { type: 'string', multiple: true },
    dead: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const rawIds = values.id as unknown as string[] | string | undefined;
  const ids = (Array.isArray(rawIds) ? rawIds : rawIds ? [rawIds] : []).flatMap((s) => s.split(',')).filter((s) => s !== '').map(Number);
  if (ids.some((n) => !(Number.isInteger(n) && n > 0))) throw new UsageError('--id takes outbox entry ids (see oioi outbox list)');
  if ((ids.length > 0) === Boolean(values.dead)) throw new UsageError('give either --id N [--id M…] or --dead');
  return withStorage(values.db as string, async (storage) => {
    const n = await storage.outbox.retry(values.dead ? 'dead' : ids, Date.now());
    if (values.json) process.stdout.write(JSON.stringify({ retried: n }) + '\n');
    else process.stdout.write(`${n} ${n === 1 ? 'entry' : 'entries'} put back to pending\n`);
    return 0;
  });
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(rest);
  if (sub === 'retry') return retry(rest);
  throw new UsageError('usage: oioi outbox list --db URL [--json] [--state S] [--partner ID] | oioi outbox retry --db URL (--id N… | --dead)');
}
