/**
 * The storage a hub runs on: one repository per concern, implemented once for SQLite and once
 * for PostgreSQL. Services see only these interfaces.
 */
import type { PartnerRepository } from './partners.js';

export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  readonly partners: PartnerRepository;
  /**
   * A token that changes when another process commits (the CLI adding a partner or revoking a
   * key). The hub polls it to refresh its caches within a second.
   */
  changeToken(): Promise<string>;
  close(): Promise<void>;
}
