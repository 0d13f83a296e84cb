/**
 * Flag parsing for the `oioi` command: every `--some-flag` also reads `OIOI_SOME_FLAG` from the
 * environment (shared/cli.md), flags win over the environment.
 */
import { parseArgs } from 'node:util';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; short?: string; multiple?: boolean }>;

/** The environment variable beside a flag. Example: `envName('upstream-timeout') === 'OIOI_UPSTREAM_TIMEOUT'`. */
export function envName(flag: string): string {
  return `OIOI_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Parses argv against a spec, with the environment overlay.
 * Example: `const { values, positionals } = readFlags(argv, { db: { type: 'string' } })`.
 */
export function readFlags(argv: string[], spec: FlagSpec, env: NodeJS.ProcessEnv = process.env) {
  // Defaults are applied here, after the environment: handed to parseArgs they would hide OIOI_* values.
  const options = Object.fromEntries(Object.entries(spec).map(([name, { default: _default, ...opt }]) => [name, opt]));
  const { values, positionals } = parseArgs({ args: argv, options: options as any, allowPositionals: true, strict: true });
  const out: Record<string, string | boolean | undefined> = {};
  for (const [name, opt] of Object.entries(spec)) {
    const given = (values as Record<string, unknown>)[name];
    const fromEnv = env[envName(name)];
    if (given !== undefined) out[name] = given as string | boolean;
    else if (fromEnv !== undefined && fromEnv !== '') out[name] = opt.type === 'boolean' ? !['0', 'false', 'no'].includes(fromEnv.toLowerCase()) : fromEnv;
    else out[name] = opt.default;
  }
  return { values: out, positionals };
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads a required string flag or throws a UsageError naming it. */
export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required (or ${envName(name)})`);
  return v;
}
