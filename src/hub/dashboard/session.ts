/**
 * Dashboard login sessions: a random token in an HttpOnly, SameSite=Strict cookie scoped to
 * /dashboard; storage keeps only its SHA-256 hash and an expiry (12 h), so sessions survive a hub
 * restart and are shared by hubs on one database.
 */
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { OperatorRecord, OperatorRepository } from '../../storage/operators.js';

export const COOKIE_NAME = 'oioi_dash';
export const SESSION_TTL_MS = 12 * 3600_000;

/** SHA-256 hex of a session token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The `oioi_dash` cookie of a request, if any. Example: `cookieToken('a=1; oioi_dash=xyz') === 'xyz'`. */
export function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === COOKIE_NAME) {
      const v = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : undefined;
    }
  }
  return undefined;
}

/** The Set-Cookie value of a new session; `secure` when served over https. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedCookie(secure: boolean): string {
  return `${COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** Sessions over an operator repository. Example: `const s = new Sessions(storage.operators, () => Date.now())`. */
export class Sessions {
  constructor(
    private readonly repo: OperatorRepository,
    private readonly now: () => number,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  /** Starts a session for an operator; returns the token for the cookie. */
  async start(operator: OperatorRecord): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    await this.repo.addSession({ tokenHash: tokenHash(token), operatorId: operator.id, createdAt: at, expiresAt: at + this.ttlMs });
    return token;
  }

  /** The operator of a request's session cookie while the session lasts. */
  async operatorOf(req: http.IncomingMessage): Promise<OperatorRecord | undefined> {
    const token = cookieToken(req.headers.cookie);
    if (!token) return undefined;
    return (await this.repo.session(tokenHash(token), this.now()))?.operator;
  }

  /** Ends the session of a request's cookie (logout). */
  async end(req: http.IncomingMessage): Promise<void> {
    const token = cookieToken(req.headers.cookie);
    if (token) await this.repo.removeSession(tokenHash(token));
  }
}
