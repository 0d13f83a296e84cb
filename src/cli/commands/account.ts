/** `oioi account add|list|lock|unlock`: the hub's own driver accounts (EVCO ID + RFID cards). */
import { AccountInputError, addAccount, setAccountLocked } from '../../hub/authorization/accounts.js';
import { AccountConflictError, type AccountRecord } from '../../storage/authorization.js';
import { dbFlag, withStorage } from '../db-flag.js';
import { readFlags, required, UsageError } from '../flags.js';

const usage = `usage: oioi account add --db URL --evco-id ID --rfid UID[,UID…] [--locked] [--no-payment] [--json]
       oioi account list --db URL [--json]
       oioi account lock|unlock --db URL --evco-id ID`;

function line(a: AccountRecord): string {
  const state = a.locked ? 'locked' : a.hasPayment ? 'active' : 'no-payment';
  return `${a.id}\t${a.evcoId}\t${state}\t${a.rfids.join(',')}\n`;
}

function view(a: AccountRecord) {
  return { id: a.id, evcoId: a.evcoId, rfids: a.rfids, locked: a.locked, hasPayment: a.hasPayment, createdAt: a.createdAt };
}

/** Operator mistakes become usage errors (exit 2); conflicts with stored accounts exit 1. */
async function guarded(fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AccountInputError) throw new UsageError(err.message);
    if (err instanceof AccountConflictError) {
      process.stderr.write(`oioi account: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function add(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    ...dbFlag,
    'evco-id': { type: 'string' },
    rfid: { type: 'string' },
    locked: { type: 'boolean', default: false },
    'no-payment': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const evcoId = required(values, 'evco-id');
  const rfids = required(values, 'rfid').split(',').filter((u) => u.trim() !== '');
  return guarded(() =>
    withStorage(values.db as string, async (storage) => {
      const { account, warnings } = await addAccount(storage, { evcoId, rfids, locked: values.locked === true, hasPayment: values['no-payment'] !== true });
      for (const w of warnings) process.stderr.write(`oioi account: warning: ${w}\n`);
      process.stdout.write(values.json ? JSON.stringify(view(account)) + '\n' : `account ${account.id} added: ${line(account)}`);
      return 0;
    }),
  );
}

async function list(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, { ...dbFlag, json: { type: 'boolean', default: false } });
  return withStorage(values.db as string, async (storage) => {
    const accounts = await storage.authorization.listAccounts();
    if (values.json) process.stdout.write(JSON.stringify(accounts.map(view)) + '\n');
    else if (accounts.length === 0) process.stdout.write('no accounts\n');
    else for (const a of accounts) process.stdout.write(line(a));
    return 0;
  });
}

async function lock(argv: string[], locked: boolean): Promise<number> {
  const { values } = readFlags(argv, { ...dbFlag, 'evco-id': { type: 'string' }, json: { type: 'boolean', default: false } });
  const evcoId = required(values, 'evco-id');
  return guarded(() =>
    withStorage(values.db as string, async (storage) => {
      const account = await setAccountLocked(storage, evcoId, locked);
      if (!account) {
        process.stderr.write(`oioi account: no account with EVCO ID ${evcoId}\n`);
        return 1;
      }
      process.stdout.write(values.json ? JSON.stringify(view(account)) + '\n' : `account ${account.evcoId} ${locked ? 'locked' : 'unlocked'}\n`);
      return 0;
    }),
  );
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest);
  if (sub === 'list') return list(rest);
  if (sub === 'lock') return lock(rest, true);
  if (sub === 'unlock') return lock(rest, false);
  throw new UsageError(usage);
}
