/** Dashboard operators and sessions on SQLite (see ../operators.ts). */
import type Database from 'better-sqlite3';
import type { OperatorRecord, OperatorRepository, OperatorSessionRecord } from '../operators.js';
import type { SqliteDatabase } from './database.js';

interface OperatorRow { id: number; name: string; password_hash: string; created_at: string }

function operatorOf(r: OperatorRow): OperatorRecord {
  return { id: r.id, name: r.name, passwordHash: r.password_hash, createdAt: r.created_at };
}

/** Example: `const ops = new SqliteOperators(db); await ops.add('alice', hash)`. */
export class SqliteOperators implements OperatorRepository {
  private readonly byNameStmt: Database.Statement;
  private readonly byIdStmt: Database.Statement;
  private readonly sessionStmt: Database.Statement;

  constructor(private readonly s: SqliteDatabase) {
    this.byNameStmt = s.db.prepare('SELECT * FROM operators WHERE name = ?');
    this.byIdStmt = s.db.prepare('SELECT * FROM operators WHERE id = ?');
    this.sessionStmt = s.db.prepare(`SELECT s.token_hash, s.operator_id, s.created_at AS session_created_at, s.expires_at, o.id, o.name, o.password_hash, o.created_at AS operator_created_at
      FROM operator_sessions s JOIN operators o ON o.id = s.operator_id WHERE s.token_hash = ? AND s.expires_at > ?`);
  }

  add(name: string, passwordHash: string): Promise<OperatorRecord | undefined> {
    return this.s.write((db) => {
      const createdAt = new Date().toISOString();
      const r = db.prepare('INSERT INTO operators (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING').run(name, passwordHash, createdAt);
      if (r.changes === 0) return undefined;
      return { id: Number(r.lastInsertRowid), name, passwordHash, createdAt };
    });
  }

  async byName(name: string): Promise<OperatorRecord | undefined> {
    const r = this.byNameStmt.get(name) as OperatorRow | undefined;
    return r && operatorOf(r);
  }

  async get(id: number): Promise<OperatorRecord | undefined> {
    const r = this.byIdStmt.get(id) as OperatorRow | undefined;
    return r && operatorOf(r);
  }

  async list(): Promise<OperatorRecord[]> {
    return (this.s.db.prepare('SELECT * FROM operators ORDER BY id').all() as OperatorRow[]).map(operatorOf);
  }

  setPassword(id: number, passwordHash: string): Promise<boolean> {
    return this.s.write((db) => {
      const changed = db.prepare('UPDATE operators SET password_hash = ? WHERE id = ?').run(passwordHash, id).changes > 0;
      db.prepare('DELETE FROM operator_sessions WHERE operator_id = ?').run(id);
      return changed;
    });
  }

  addSession(x: OperatorSessionRecord): Promise<void> {
    return this.s.write((db) => {
      db.prepare('DELETE FROM operator_sessions WHERE expires_at <= ?').run(x.createdAt);
      db.prepare('INSERT INTO operator_sessions (token_hash, operator_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(x.tokenHash, x.operatorId, x.createdAt, x.expiresAt);
    });
  }

  async session(tokenHash: string, now: number): Promise<{ session: OperatorSessionRecord; operator: OperatorRecord } | undefined> {
    const r = this.sessionStmt.get(tokenHash, now) as (OperatorRow & { token_hash: string; operator_id: number; session_created_at: number; expires_at: number; operator_created_at: string }) | undefined;
    if (!r) return undefined;
    return {
      session: { tokenHash: r.token_hash, operatorId: r.operator_id, createdAt: r.session_created_at, expiresAt: r.expires_at },
      operator: { id: r.id, name: r.name, passwordHash: r.password_hash, createdAt: r.operator_created_at },
    };
  }

  removeSession(tokenHash: string): Promise<void> {
    return this.s.write((db) => {
      db.prepare('DELETE FROM operator_sessions WHERE token_hash = ?').run(tokenHash);
    });
  }
}
