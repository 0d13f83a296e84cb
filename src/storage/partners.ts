/** Partners and their API keys, as storage keeps them (shared/protocol.md, "Partners and keys"). */
import type { Role } from '../protocol/registry-types.js';

export type RfidAuthMode = 'online' | 'offline' | 'none';

export interface PartnerEndpoint {
  url: string;
  /** The API key the hub presents when it calls this partner. */
  apiKey: string;
}

export interface PartnerRecord {
  id: number;
  name: string;
  roles: Role[];
  partnerIdentifiers: string[];
  evcoPrefixes: string[];
  endpoint?: PartnerEndpoint;
  rfidAuth: RfidAuthMode;
  receivesCdrs: boolean;
  createdAt: string;
}

export type NewPartner = Omit<PartnerRecord, 'id' | 'createdAt'>;

export interface ApiKeyRecord {
  id: string;
  partnerId: number;
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
}

/** Storage of partners and keys. Implemented by sqlite/ and postgres/. */
export interface PartnerRepository {
  add(partner: NewPartner): Promise<PartnerRecord>;
  update(id: number, changes: Partial<Omit<NewPartner, 'partnerIdentifiers'>>): Promise<PartnerRecord | undefined>;
  get(id: number): Promise<PartnerRecord | undefined>;
  list(): Promise<PartnerRecord[]>;
  addKey(key: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt'>): Promise<ApiKeyRecord>;
  /** Marks a key revoked; false when no such active key. */
  revokeKey(id: string): Promise<boolean>;
  /** Every key that is not revoked. */
  activeKeys(): Promise<ApiKeyRecord[]>;
  /** A partner's keys, revoked ones too, oldest first; keys made in the same millisecond by id. */
  keysOf(partnerId: number): Promise<ApiKeyRecord[]>;
}
