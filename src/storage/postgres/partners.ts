/** PostgreSQL implementation of PartnerRepository. */
import type { Role } from '../../protocol/registry-types.js';
import type { ApiKeyRecord, NewPartner, PartnerRecord, PartnerRepository } from '../partners.js';
import type { PgDatabase } from './database.js';

interface PartnerRow {
  id: number; name: string; roles: string; endpoint_url: string | null; endpoint_key: string | null;
  rfid_auth: PartnerRecord['rfidAuth']; receives_cdrs: number; created_at: string;
  identifiers: string[]; prefixes: string[];
}
interface KeyRow { id: string; partner_id: number; secret_hash: string; created_at: string; revoked_at: string | null }

function toKey(r: KeyRow): ApiKeyRecord {
  const k: ApiKeyRecord = { id: r.id, partnerId: r.partner_id, secretHash: r.secret_hash, createdAt: r.created_at };
  if (r.revoked_at) k.revokedAt = r.revoked_at;
  return k;
}

function toPartner(row: PartnerRow): PartnerRecord {
  const p: PartnerRecord = {
    id: row.id,
    name: row.name,
    roles: row.roles ? (row.roles.split(',') as Role[]) : [],
    partnerIdentifiers: row.identifiers,
    evcoPrefixes: row.prefixes,
    rfidAuth: row.rfid_auth,
    receivesCdrs: row.receives_cdrs === 1,
    createdAt: row.created_at,
  };
  if (row.endpoint_url) p.endpoint = { url: row.endpoint_url, apiKey: row.endpoint_key ?? '' };
  return p;
}

/**
 * One query per read: identifiers in insertion order (ctid: rows of this table are only ever
 * inserted, so the physical order is the order they were added, like SQLite's rowid), prefixes
 * sorted bytewise like SQLite.
 */
const SELECT_PARTNERS = `SELECT p.*,
  coalesce((SELECT array_agg(identifier ORDER BY ctid) FROM partner_identifiers i WHERE i.partner_id = p.id), '{}') AS identifiers,
  coalesce((SELECT array_agg(prefix ORDER BY prefix COLLATE "C") FROM evco_prefixes e WHERE e.partner_id = p.id), '{}') AS prefixes
  FROM partners p`;

/** Partners and keys on PostgreSQL. Example: `await new PgPartners(db).list()`. */
export class PgPartners implements PartnerRepository {
  constructor(private readonly db: PgDatabase) {}

  async add(partner: NewPartner): Promise<PartnerRecord> {
    const id = await this.db.tx(async (c) => {
      const { rows } = await c.query<{ id: number }>(
        'INSERT INTO partners (name, roles, endpoint_url, endpoint_key, rfid_auth, receives_cdrs, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
        [partner.name, partner.roles.join(','), partner.endpoint?.url ?? null, partner.endpoint?.apiKey ?? null, partner.rfidAuth, partner.receivesCdrs ? 1 : 0, new Date().toISOString()],
      );
      const pid = rows[0]!.id;
      // One at a time, in the order given: the order is kept (see SELECT_PARTNERS).
      for (const i of partner.partnerIdentifiers) await c.query('INSERT INTO partner_identifiers (identifier, partner_id) VALUES ($1, $2)', [i, pid]);
      if (partner.evcoPrefixes.length) await c.query('INSERT INTO evco_prefixes (prefix, partner_id) SELECT unnest($1::text[]), $2', [partner.evcoPrefixes, pid]);
      return pid;
    });
    return (await this.get(id))!;
  }

  async update(id: number, c: Partial<Omit<NewPartner, 'partnerIdentifiers'>>): Promise<PartnerRecord | undefined> {
    await this.db.tx(async (client) => {
      const sets: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown) => `$${args.push(v)}`;
      if (c.name !== undefined) sets.push(`name = ${arg(c.name)}`);
      if (c.roles !== undefined) sets.push(`roles = ${arg(c.roles.join(','))}`);
      if (c.rfidAuth !== undefined) sets.push(`rfid_auth = ${arg(c.rfidAuth)}`);
      if (c.receivesCdrs !== undefined) sets.push(`receives_cdrs = ${arg(c.receivesCdrs ? 1 : 0)}`);
      if ('endpoint' in c) sets.push(`endpoint_url = ${arg(c.endpoint?.url ?? null)}, endpoint_key = ${arg(c.endpoint?.apiKey ?? null)}`);
      if (sets.length) await client.query(`UPDATE partners SET ${sets.join(', ')} WHERE id = ${arg(id)}`, args);
      if (c.evcoPrefixes !== undefined) {
        await client.query('DELETE FROM evco_prefixes WHERE partner_id = $1', [id]);
        if (c.evcoPrefixes.length) await client.query('INSERT INTO evco_prefixes (prefix, partner_id) SELECT unnest($1::text[]), $2', [c.evcoPrefixes, id]);
      }
    });
    return this.get(id);
  }

  async get(id: number): Promise<PartnerRecord | undefined> {
    const [row] = await this.db.query<PartnerRow>(`${SELECT_PARTNERS} WHERE p.id = $1`, [id]);
    return row && toPartner(row);
  }

  async list(): Promise<PartnerRecord[]> {
    return (await this.db.query<PartnerRow>(`${SELECT_PARTNERS} ORDER BY p.id`)).map(toPartner);
  }

  async addKey(key: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<ApiKeyRecord> {
    const createdAt = new Date().toISOString();
    await this.db.query('INSERT INTO api_keys (id, partner_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)', [key.id, key.partnerId, key.secretHash, createdAt]);
    return { ...key, createdAt };
  }

  async revokeKey(id: string): Promise<boolean> {
    const rows = await this.db.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id', [new Date().toISOString(), id]);
    return rows.length === 1;
  }

  async activeKeys(): Promise<ApiKeyRecord[]> {
    return (await this.db.query<KeyRow>('SELECT * FROM api_keys WHERE revoked_at IS NULL')).map(toKey);
  }

  async keysOf(partnerId: number): Promise<ApiKeyRecord[]> {
    // Ties by id, as on SQLite: the physical order (ctid) moves when a revoke rewrites the row.
    return (await this.db.query<KeyRow>('SELECT * FROM api_keys WHERE partner_id = $1 ORDER BY created_at COLLATE "C", id COLLATE "C"', [partnerId])).map(toKey);
  }
}
