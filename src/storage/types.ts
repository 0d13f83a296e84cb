/**
 * The storage a hub runs on: one repository per concern, implemented once for SQLite and once
 * for PostgreSQL. Services see only these interfaces.
 */
import type { PartnerRepository } from './partners.js';
import type { PoiRepository } from './poi.js';
import type { TariffRepository } from './tariffs.js';
import type { OutboxRepository } from './outbox.js';
import type { SessionRepository } from './sessions.js';
import type { CdrRepository } from './cdrs.js';
import type { AuthorizationRepository } from './authorization.js';
import type { OperatorRepository } from './operators.js';
import type { DashboardRepository } from './dashboard.js';

export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  readonly partners: PartnerRepository;
  readonly poi: PoiRepository;
  readonly tariffs: TariffRepository;
  readonly outbox: OutboxRepository;
  readonly sessions: SessionRepository;
  readonly cdrs: CdrRepository;
  readonly authorization: AuthorizationRepository;
  /** Dashboard operators and their login sessions. */
  readonly operators: OperatorRepository;
  /** The dashboard's read queries (map, searches, forwarding history). */
  readonly dashboard: DashboardRepository;
  /**
   * A token that changes when another process commits (the CLI adding a partner or revoking a
   * key). The hub polls it to refresh its caches within a second.
   */
  changeToken(): Promise<string>;
  /**
   * Milliseconds the durable write path has been busy (writes queued, committing or waiting for
   * their fsync) since the storage opened, where the engine keeps such a path (SQLite). The hub's
   * background work samples it to give way while requests' writes keep it busy.
   */
  writeBusyMs?(): number;
  close(): Promise<void>;
}
