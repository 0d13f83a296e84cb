/**
 * The `oioi` command: a thin dispatcher from the first word to a command module. Each command
 * returns its exit code (shared/cli.md holds the contract).
 */
import { UsageError } from './flags.js';

type Command = (argv: string[]) => Promise<number | void>;

/** Command modules, loaded on demand so `oioi send` does not pay for the hub's storage. */
const commands: Record<string, () => Promise<{ run: Command }>> = {
  send: () => import('./commands/send.js'),
  schema: () => import('./commands/schema.js'),
  hub: () => import('./commands/hub.js'),
  partner: () => import('./commands/partner.js'),
  key: () => import('./commands/key.js'),
  tariff: () => import('./commands/tariff.js'),
  account: () => import('./commands/account.js'),
  outbox: () => import('./commands/outbox.js'),
  demo: () => import('./commands/demo.js'),
  operator: () => import('./commands/operator.js'),
  cpo: () => import('./commands/cpo.js'),
  migrate: () => import('./commands/migrate.js'),
};

const help = `usage: oioi <command> [options]

commands:
  ${Object.keys(commands).sort().join('\n  ')}

See shared/cli.md or docs/cli.md for every flag.`;

/** Runs the command line. Example: `await main(['send', '--url', url, '--key', key, 'msg.json'])`. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help + '\n');
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`oioi: unknown command '${name}'\n${help}\n`);
    return 2;
  }
  try {
    const code = await (await load()).run(rest);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`oioi ${name}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}
