/** `oioi schema CALL [--response]`: prints the JSON Schema of a call's request or response. */
import { callDefinition, callNames, schemaOf } from '../../protocol/index.js';
import { readFlags, UsageError } from '../flags.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = readFlags(argv, { response: { type: 'boolean', default: false } });
  const call = positionals[0];
  if (!call) throw new UsageError(`name a call: ${callNames.join(', ')}`);
  if (!callDefinition(call)) {
    process.stderr.write(`oioi schema: unknown call '${call}'\n`);
    return 2;
  }
  process.stdout.write(JSON.stringify(schemaOf(call, values.response ? 'response' : 'request'), null, 2) + '\n');
  return 0;
}
