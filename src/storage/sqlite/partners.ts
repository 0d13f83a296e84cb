/** SQLite implementation of PartnerRepository. */
import type { Role } from '../../protocol/registry-types.js';
import type { ApiKeyRecord, NewPartner, PartnerRecord, PartnerRepository } from '../partners.js';
import type { SqliteDatabase } from './database.js';

interface PartnerRow {
  id: number; name: string; roles: string; endpoint_url: string | null; endpoint_key: string | null;
  rfid_auth: PartnerRecord['rfidAuth']; receives_cdrs: number; created_at: string;
}
interface KeyRow { id: string; partner_id: number; secret_hash: string; created_at: string; revoked_at: string | null }

function toKey(r: KeyRow): ApiKeyRecord {
  const k: ApiKeyRecord = { id: r.id, partnerId: r.partner_id, secretHash: r.secret_hash, createdAt: r.created_at };
  if (r.revoked_at) k.revokedAt = r.revoked_at;
  return k;
}

/** Partners and keys on SQLite. Example: `new SqlitePartners(db).list()`. */
export class SqlitePartners implements PartnerRepository {
  constructor(private readonly s: SqliteDatabase) {}

  private read(row: PartnerRow): PartnerRecord {
    const db = this.s.db;
    const p: PartnerRecord = {
      id: row.id,
      name: row.name,
      roles: row.roles ? (row.roles.split(',') as Role[]) : [],
      partnerIdentifiers: (db.prepare('SELECT identifier FROM partner_identifiers WHERE partner_id = ? ORDER BY rowid').pluck().all(row.id) as string[]),
      evcoPrefixes: (db.prepare('SELECT prefix FROM evco_prefixes WHERE partner_id = ? ORDER BY prefix').pluck().all(row.id) as string[]),
      rfidAuth: row.rfid_auth,
      receivesCdrs: row.receives_cdrs === 1,
      createdAt: row.created_at,
    };
    if (row.endpoint_url) p.endpoint = { url: row.endpoint_url, apiKey: row.endpoint_key ?? '' };
    return p;
  }

  async add(partner: NewPartner): Promise<PartnerRecord> {
    const id = await this.s.write((db) => {
      const info = db.prepare('INSERT INTO partners (name, roles, endpoint_url, endpoint_key, rfid_auth, receives_cdrs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(partner.name, partner.roles.join(','), partner.endpoint?.url ?? null, partner.endpoint?.apiKey ?? null, partner.rfidAuth, partner.receivesCdrs ? 1 : 0, new Date().toISOString());
      const pid = Number(info.lastInsertRowid);
      const addId = db.prepare('INSERT INTO partner_identifiers (identifier, partner_id) VALUES (?, ?)');
      for (const i of partner.partnerIdentifiers) addId.run(i, pid);
      const addPrefix = db.prepare('INSERT INTO evco_prefixes (prefix, partner_id) VALUES (?, ?)');
      for (const p of partner.evcoPrefixes) addPrefix.run(p, pid);
      return pid;
    });
    return (await this.get(id))!;
  }

  async update(id: number, c: Partial<Omit<NewPartner, 'partnerIdentifiers'>>): Promise<PartnerRecord | undefined> {
    await this.s.write((db) => {
      const sets: string[] = [];
      const args: unknown[] = [];
      if (c.name !== undefined) { sets.push('name = ?'); args.push(c.name); }
      if (c.roles !== undefined) { sets.push('roles = ?'); args.push(c.roles.join(',')); }
      if (c.rfidAuth !== undefined) { sets.push('rfid_auth = ?'); args.push(c.rfidAuth); }
      if (c.receivesCdrs !== undefined) { sets.push('receives_cdrs = ?'); args.push(c.receivesCdrs ? 1 : 0); }
      if ('endpoint' in c) { sets.push('endpoint_url = ?, endpoint_key = ?'); args.push(c.endpoint?.url ?? null, c.endpoint?.apiKey ?? null); }
      if (sets.length) db.prepare(`UPDATE partners SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
      if (c.evcoPrefixes !== undefined) {
        db.prepare('DELETE FROM evco_prefixes WHERE partner_id = ?').run(id);
        const addPrefix = db.prepare('INSERT INTO evco_prefixes (prefix, partner_id) VALUES (?, ?)');
        for (const p of c.evcoPrefixes) addPrefix.run(p, id);
      }
    });
    return this.get(id);
  }

  async get(id: number): Promise<PartnerRecord | undefined> {
    const row = this.s.db.prepare('SELECT * FROM partners WHERE id = ?').get(id) as PartnerRow | undefined;
    return row && this.read(row);
  }

  async list(): Promise<PartnerRecord[]> {
    return (this.s.db.prepare('SELECT * FROM partners ORDER BY id').all() as PartnerRow[]).map((r) => this.read(r));
  }

  async addKey(key: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<ApiKeyRecord> {
    const createdAt = new Date().toISOString();
    await this.s.write((db) => db.prepare('INSERT INTO api_keys (id, partner_id, secret_hash, created_at) VALUES (?, ?, ?, ?)').run(key.id, key.partnerId, key.secretHash, createdAt));
    return { ...key, createdAt };
  }

  async revokeKey(id: string): Promise<boolean> {
    return this.s.write((db) => db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id).changes === 1);
  }

  async activeKeys(): Promise<ApiKeyRecord[]> {
    return (this.s.db.prepare('SELECT * FROM api_keys WHERE revoked_at IS NULL').all() as KeyRow[]).map(toKey);
  }

  async keysOf(partnerId: number): Promise<ApiKeyRecord[]> {
    return (this.s.db.prepare('SELECT * FROM api_keys WHERE partner_id = ? ORDER BY created_at, id').all(partnerId) as KeyRow[]).map(toKey);
  }
}
