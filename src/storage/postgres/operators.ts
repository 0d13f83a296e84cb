/** Dashboard operators and sessions on PostgreSQL (see ../operators.ts). */
import type { OperatorRecord, OperatorRepository, OperatorSessionRecord } from '../operators.js';
import type { PgDatabase } from './database.js';

interface OperatorRow { id: number; name: string; password_hash: string; created_at: string }

function operatorOf(r: OperatorRow): OperatorRecord {
  return { id: Number(r.id), name: r.name, passwordHash: r.password_hash, createdAt: r.created_at };
}

/** Example: `await new PgOperators(db).byName('olga')`. */
export class PgOperators implements OperatorRepository {
  constructor(private readonly db: PgDatabase) {}

  async add(name: string, passwordHash: string): Promise<OperatorRecord | undefined> {
    const rows = await this.db.query<OperatorRow>(
      'INSERT INTO operators (name, password_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING *',
      [name, passwordHash, new Date().toISOString()],
    );
    return rows[0] && operatorOf(rows[0]);
  }

  async byName(name: string): Promise<OperatorRecord | undefined> {
    const [r] = await this.db.query<OperatorRow>('SELECT * FROM operators WHERE name = $1', [name]);
    return r && operatorOf(r);
  }

  async get(id: number): Promise<OperatorRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const [r] = await this.db.query<OperatorRow>('SELECT * FROM operators WHERE id = $1', [id]);
    return r && operatorOf(r);
  }

  async list(): Promise<OperatorRecord[]> {
    return (await this.db.query<OperatorRow>('SELECT * FROM operators ORDER BY id')).map(operatorOf);
  }

  async setPassword(id: number, passwordHash: string): Promise<boolean> {
    if (!Number.isSafeInteger(id)) return false;
    return this.db.tx(async (c) => {
      const changed = ((await c.query('UPDATE operators SET password_hash = $1 WHERE id = $2', [passwordHash, id])).rowCount ?? 0) > 0;
      await c.query('DELETE FROM operator_sessions WHERE operator_id = $1', [id]);
      return changed;
    });
  }

  async addSession(x: OperatorSessionRecord): Promise<void> {
    await this.db.tx(async (c) => {
      await c.query('DELETE FROM operator_sessions WHERE expires_at <= $1', [x.createdAt]);
      await c.query('INSERT INTO operator_sessions (token_hash, operator_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [x.tokenHash, x.operatorId, x.createdAt, x.expiresAt]);
    });
  }

  async session(tokenHash: string, now: number): Promise<{ session: OperatorSessionRecord; operator: OperatorRecord } | undefined> {
    const [r] = await this.db.query<OperatorRow & { token_hash: string; operator_id: number; session_created_at: number; expires_at: number; operator_created_at: string }>(
      `SELECT s.token_hash, s.operator_id, s.created_at AS session_created_at, s.expires_at, o.id, o.name, o.password_hash, o.created_at AS operator_created_at
       FROM operator_sessions s JOIN operators o ON o.id = s.operator_id WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    );
    if (!r) return undefined;
    return {
      session: { tokenHash: r.token_hash, operatorId: Number(r.operator_id), createdAt: Number(r.session_created_at), expiresAt: Number(r.expires_at) },
      operator: { id: Number(r.id), name: r.name, passwordHash: r.password_hash, createdAt: r.operator_created_at },
    };
  }

  async removeSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM operator_sessions WHERE token_hash = $1', [tokenHash]);
  }
}
