/**
 * `oioi send --url URL --key KEY [--timeout MS] [--ca FILE] [FILE | -]`: sends one JSON message, prints the
 * answer body, exits 0 on a success code (0, 11, 12), 1 on any other answer, 2 when no answer
 * came or the input is unusable (shared/cli.md, "Sending one message"). No retries: one attempt.
 */
import { readFile } from 'node:fs/promises';
import { isSuccess, readCode } from '../../protocol/index.js';
import { isOioiClientError, sendRaw } from '../../transport/client/index.js';
import { readFlags, required, UsageError } from '../flags.js';

const usage = 'usage: oioi send --url URL --key KEY [--timeout MS] [--ca FILE] [FILE | -]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `oioi send`. Example: `await run(['--url', url, '--key', key, 'status.json'])` -> 0. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = readFlags(argv, {
    url: { type: 'string' },
    key: { type: 'string' },
    timeout: { type: 'string', default: '20000' },
    ca: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  const url = required(values, 'url');
  const key = required(values, 'key');
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds: ${values.timeout}`);
  if (positionals.length > 1) throw new UsageError(`one FILE at most\n${usage}`);
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }

  // --ca: a PEM file of extra CAs to trust for https (a private or self-signed hub certificate).
  let ca: Buffer | undefined;
  if (values.ca !== undefined) {
    try {
      ca = await readFile(values.ca as string);
    } catch (err) {
      process.stderr.write(`oioi send: cannot read the CA file ${values.ca}: ${(err as Error).message}\n`);
      return 2;
    }
  }

  const file = positionals[0];
  let text: string;
  try {
    text = file === undefined || file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    process.stderr.write(`oioi send: cannot read ${file ?? 'standard input'}: ${(err as Error).message}\n`);
    return 2;
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (err) {
    process.stderr.write(`oioi send: ${file ?? 'standard input'} is not valid JSON: ${(err as Error).message}\n`);
    return 2;
  }

  let answer;
  try {
    answer = await sendRaw(url, key, message, { timeoutMs, ...(ca ? { ca } : {}) });
  } catch (err) {
    if (!isOioiClientError(err)) throw err;
    process.stderr.write(`oioi send: ${err.message}\n`);
    return 2;
  }
  process.stdout.write(answer.text.endsWith('\n') ? answer.text : answer.text + '\n');
  const body = answer.body as { result?: { code?: unknown } } | undefined;
  const code = readCode(body?.result?.code);
  if (code === undefined) process.stderr.write(`oioi send: the answer (HTTP ${answer.status}) has no readable result code\n`);
  return code !== undefined && isSuccess(code) ? 0 : 1;
}
