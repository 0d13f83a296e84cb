/**
 * Dashboard operators and their login sessions (issue 9). Operators are people who run the hub;
 * they are not partners, and no partner API key opens the dashboard. Passwords are kept as
 * scrypt hashes made by the hub layer; sessions are random tokens kept as SHA-256 hashes.
 */

export interface OperatorRecord {
  id: number;
  name: string;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>`, made by src/hub/dashboard/password.ts. */
  passwordHash: string;
  createdAt: string;
}

export interface OperatorSessionRecord {
  /** SHA-256 hex of the cookie token: a stolen database does not hold usable cookies. */
  tokenHash: string;
  operatorId: number;
  /** ms since epoch. */
  createdAt: number;
  expiresAt: number;
}

/** Storage of operators and their sessions. Example: `await storage.operators.byName('alice')`. */
export interface OperatorRepository {
  /** Adds an operator; undefined when the name is taken. */
  add(name: string, passwordHash: string): Promise<OperatorRecord | undefined>;
  byName(name: string): Promise<OperatorRecord | undefined>;
  get(id: number): Promise<OperatorRecord | undefined>;
  list(): Promise<OperatorRecord[]>;
  /** Replaces an operator's password hash (and ends its sessions); false when no such operator. */
  setPassword(id: number, passwordHash: string): Promise<boolean>;
  /** Stores a new session; expired sessions of every operator are removed in the same write. */
  addSession(session: OperatorSessionRecord): Promise<void>;
  /** The session with this token hash while it has not expired at `now`, with its operator. */
  session(tokenHash: string, now: number): Promise<{ session: OperatorSessionRecord; operator: OperatorRecord } | undefined>;
  removeSession(tokenHash: string): Promise<void>;
}
