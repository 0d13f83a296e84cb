/** The `accounts` row both engines read (migration 300) and its record. */
import type { AccountRecord } from '../authorization.js';

/** An `accounts` row as `SELECT *` gives it. */
export interface AccountRow { id: number; evco_id: string; locked: number; has_payment: number; created_at: string }

/** The record of a row and its UIDs (sorted bytewise). Example: `toAccount(row, ['04A2B3C4'])`. */
export function toAccount(row: AccountRow, rfids: string[]): AccountRecord {
  return { id: row.id, evcoId: row.evco_id, rfids, locked: row.locked === 1, hasPayment: row.has_payment === 1, createdAt: row.created_at };
}

/**
 * Whether an account's cards belong in the merged whitelist (a CPO would let them charge unasked).
 * Example: `isActive({ locked: false, hasPayment: true })` is true.
 */
export function isActive(a: { locked: boolean; hasPayment: boolean }): boolean {
  return !a.locked && a.hasPayment;
}
