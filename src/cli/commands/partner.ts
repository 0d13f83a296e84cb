/** `oioi partner add|list`: partners of the hub (shared/cli.md, "Partners and keys"). */
import { addPartner, PartnerInputError, publicPartnerView, updatePartner } from '../../hub/partners/partner-service.js';
import type { PartnerRecord } from '../../storage/index.js';
import { dbFlag, withStorage } from '../db-flag.js';
import { readFlags, required, UsageError } from '../flags.js';

/** A partner as printed: the public view and when it was added. */
function publicView(p: PartnerRecord) {
  return { ...publicPartnerView(p), createdAt: p.createdAt };
}

async function add(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    ...dbFlag,
    name: { type: 'string' },
    roles: { type: 'string' },
    endpoint: { type: 'string' },
    'endpoint-key': { type: 'string' },
    'rfid-auth': { type: 'string', default: 'none' },
    'evco-prefix': { type: 'string' },
    'partner-identifier': { type: 'string' },
    'no-cdrs': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const endpoint = values.endpoint as string | undefined;
  if (values['endpoint-key'] && !endpoint) throw new UsageError('--endpoint-key goes with --endpoint');
  try {
    return await withStorage(values.db as string, async (storage) => {
      const { partner, apiKey } = await addPartner(storage, {
        name: required(values, 'name'),
        roles: required(values, 'roles').split(','),
        ...(endpoint ? { endpoint: { url: endpoint, apiKey: (values['endpoint-key'] as string | undefined) ?? '' } } : {}),
        rfidAuth: values['rfid-auth'] as string,
        evcoPrefixes: ((values['evco-prefix'] as string | undefined) ?? '').split(','),
        receivesCdrs: !values['no-cdrs'],
        ...(values['partner-identifier'] ? { partnerIdentifier: values['partner-identifier'] as string } : {}),
      });
      const out = { id: partner.id, name: partner.name, roles: partner.roles, partnerIdentifier: partner.partnerIdentifiers[0]!, apiKey };
      if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
      else {
        process.stdout.write(
          `partner ${out.id} '${out.name}' added (roles ${out.roles.join(',')})\n` +
            `partner identifier: ${out.partnerIdentifier}\n` +
            `API key (shown only now, storage keeps a hash): ${apiKey}\n`,
        );
      }
      return 0;
    });
  } catch (err) {
    if (err instanceof PartnerInputError) throw new UsageError(err.message);
    throw err;
  }
}

async function list(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, { ...dbFlag, json: { type: 'boolean', default: false } });
  return withStorage(values.db as string, async (storage) => {
    const partners = (await storage.partners.list()).map(publicView);
    if (values.json) process.stdout.write(JSON.stringify(partners) + '\n');
    else if (partners.length === 0) process.stdout.write('no partners\n');
    else for (const p of partners) process.stdout.write(`${p.id}\t${p.name}\t${p.roles.join(',')}\t${p.partnerIdentifiers.join(',')}\trfid-auth=${p.rfidAuth}\t${p.endpoint ?? '-'}\n`);
    return 0;
  });
}

/** `oioi partner update --id N [--name] [--endpoint URL|none] [--endpoint-key] [--rfid-auth] [--evco-prefix] [--cdrs|--no-cdrs]`. */
async function update(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    ...dbFlag,
    id: { type: 'string' },
    name: { type: 'string' },
    endpoint: { type: 'string' },
    'endpoint-key': { type: 'string' },
    'rfid-auth': { type: 'string' },
    'evco-prefix': { type: 'string' },
    cdrs: { type: 'boolean' },
    'no-cdrs': { type: 'boolean' },
    json: { type: 'boolean', default: false },
  });
  const id = Number(required(values, 'id'));
  if (!Number.isInteger(id) || id <= 0) throw new UsageError('--id must be a partner id (see oioi partner list)');
  if (values.cdrs && values['no-cdrs']) throw new UsageError('--cdrs and --no-cdrs exclude each other');
  const endpoint = values.endpoint as string | undefined;
  try {
    return await withStorage(values.db as string, async (storage) => {
      const updated = await updatePartner(storage, id, {
        ...(values.name !== undefined ? { name: values.name as string } : {}),
        ...(endpoint !== undefined ? { endpoint: endpoint === 'none' ? null : { url: endpoint } } : {}),
        ...(values['endpoint-key'] !== undefined ? { endpointKey: values['endpoint-key'] as string } : {}),
        ...(values['rfid-auth'] !== undefined ? { rfidAuth: values['rfid-auth'] as string } : {}),
        ...(values['evco-prefix'] !== undefined ? { evcoPrefixes: (values['evco-prefix'] as string).split(',') } : {}),
        ...(values.cdrs ? { receivesCdrs: true } : values['no-cdrs'] ? { receivesCdrs: false } : {}),
      });
      if (!updated) {
        process.stderr.write(`oioi partner update: no partner with id ${id}\n`);
        return 1;
      }
      if (values.json) process.stdout.write(JSON.stringify(publicView(updated)) + '\n');
      else process.stdout.write(`partner ${updated.id} '${updated.name}' updated: rfid-auth=${updated.rfidAuth} endpoint=${updated.endpoint?.url ?? '-'}\n`);
      return 0;
    });
  } catch (err) {
    if (err instanceof PartnerInputError) throw new UsageError(err.message);
    throw err;
  }
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest);
  if (sub === 'list') return list(rest);
  if (sub === 'update') return update(rest);
  throw new UsageError('usage: oioi partner add|list|update --db URL …');
}
