/** `oioi operator add|list`: people who may log in to the hub's dashboard (docs/dashboard.md). */
import { generatePassword, hashPassword } from '../../hub/dashboard/password.js';
import { dbFlag, withStorage } from '../db-flag.js';
import { readFlags, required, UsageError } from '../flags.js';

const MIN_PASSWORD = 12;

/** The whole of standard input, without its final line break. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function add(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    ...dbFlag,
    name: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const name = required(values, 'name').trim();
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) throw new UsageError('--name takes 1 to 64 letters, digits or . _ @ -');
  const given = values['password-stdin'] ? await readStdin() : undefined;
  if (given !== undefined && given.length < MIN_PASSWORD) throw new UsageError(`the password on standard input must have at least ${MIN_PASSWORD} characters`);
  const password = given ?? generatePassword();
  return withStorage(values.db as string, async (storage) => {
    const op = await storage.operators.add(name, await hashPassword(password));
    if (!op) {
      process.stderr.write(`oioi operator add: an operator named '${name}' exists already\n`);
      return 1;
    }
    const shown = given === undefined ? password : undefined;
    if (values.json) process.stdout.write(JSON.stringify({ id: op.id, name: op.name, ...(shown ? { password: shown } : {}) }) + '\n');
    else {
      process.stdout.write(`operator ${op.id} '${op.name}' added\n`);
      if (shown) process.stdout.write(`password (shown only now, storage keeps a scrypt hash): ${shown}\n`);
    }
    return 0;
  });
}

async function list(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, { ...dbFlag, json: { type: 'boolean', default: false } });
  return withStorage(values.db as string, async (storage) => {
    const ops = (await storage.operators.list()).map((o) => ({ id: o.id, name: o.name, createdAt: o.createdAt }));
    if (values.json) process.stdout.write(JSON.stringify(ops) + '\n');
    else if (ops.length === 0) process.stdout.write('no operators\n');
    else for (const o of ops) process.stdout.write(`${o.id}\t${o.name}\t${o.createdAt}\n`);
    return 0;
  });
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest);
  if (sub === 'list') return list(rest);
  throw new UsageError('usage: oioi operator add|list --db URL …');
}
