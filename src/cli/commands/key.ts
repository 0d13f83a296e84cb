/** `oioi key add|revoke`: API keys of a partner (shared/cli.md, "Partners and keys"). */
import { addKey, PartnerInputError, revokeKey } from '../../hub/partners/partner-service.js';
import { dbFlag, withStorage } from '../db-flag.js';
import { readFlags, required, UsageError } from '../flags.js';

async function add(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, { ...dbFlag, partner: { type: 'string' }, json: { type: 'boolean', default: false } });
  const partnerId = Number(required(values, 'partner'));
  if (!Number.isInteger(partnerId) || partnerId <= 0) throw new UsageError('--partner takes the numeric partner id (see oioi partner list)');
  try {
    return await withStorage(values.db as string, async (storage) => {
      const apiKey = await addKey(storage, partnerId);
      process.stdout.write(values.json ? JSON.stringify({ partner: partnerId, apiKey }) + '\n' : `API key (shown only now): ${apiKey}\n`);
      return 0;
    });
  } catch (err) {
    if (err instanceof PartnerInputError) throw new UsageError(err.message);
    throw err;
  }
}

async function revoke(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, { ...dbFlag, key: { type: 'string' } });
  const key = required(values, 'key');
  return withStorage(values.db as string, async (storage) => {
    if (await revokeKey(storage, key)) {
      process.stdout.write('key revoked\n');
      return 0;
    }
    process.stderr.write('oioi key revoke: no active key matches\n');
    return 1;
  });
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest);
  if (sub === 'revoke') return revoke(rest);
  throw new UsageError('usage: oioi key add --partner ID | oioi key revoke --key APIKEY');
}
