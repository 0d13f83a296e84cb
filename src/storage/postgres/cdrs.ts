/** PostgreSQL implementation of CdrRepository (tables of migration 450; outbox of 500). */
import type { CdrDecider, CdrPost, CdrRecord, CdrRepository, CdrSaveResult, FleetCardInput } from '../cdrs.js';
import type { OutboxItemInput } from '../outbox.js';
import { signalOutbox } from '../outbox-signal.js';
import type { Client, PgDatabase } from './database.js';
import { insertOutboxRows } from './outbox-insert.js';
import { cdrColumns, toCdr, type CdrRow } from '../rows/cdrs.js';
import type { SessionRow } from '../rows/sessions.js';
import { sessionForCdrWith } from './sessions.js';

/** Marks still-open rows for the same partner and subject superseded: the new row carries the whole record. */
async function supersede(c: Client, items: readonly OutboxItemInput[]): Promise<void> {
  for (const i of items) {
    if (i.subject === undefined) continue;
    await c.query("UPDATE outbox SET state = 'superseded' WHERE partner_id = $1 AND call = $2 AND subject = $3 AND state IN ('pending','failing')", [i.partnerId, i.call, i.subject]);
  }
}

/** CDRs and fleet cards on PostgreSQL. Example: `await new PgCdrs(db).get('abc-123')`. */
export class PgCdrs implements CdrRepository {
  constructor(private readonly db: PgDatabase) {}

  async save(post: CdrPost, decide: CdrDecider): Promise<CdrSaveResult> {
    const result = await this.db.tx(async (c) => {
      // Posts of one session take turns (also across processes), so each decides on the record the previous one left.
      await c.query("SELECT pg_advisory_xact_lock(hashtext('cdr:' || $1))", [post.sessionId]);
      const [row] = (await c.query<CdrRow>('SELECT * FROM cdrs WHERE session_id = $1', [post.sessionId])).rows;
      const previous = row && toCdr(row);
      const fleets = post.fleets ? await fleetSubscribersWith(async (sql, params) => (await c.query<{ partner_id: number }>(sql, params)).rows, post.fleets) : [];
      const session = post.session ? await sessionForCdrWith(async (sql, params) => (await c.query<SessionRow>(sql, params)).rows, post.session) : undefined;
      const decision = decide(previous, fleets, session);
      const out: CdrSaveResult = { decision, outboxIds: [], ...(previous ? { previous } : {}) };
      if (decision.action !== 'write') return out;
      const payload = JSON.stringify(decision.payload);
      const raw = JSON.stringify(post.raw);
      const [start, stop, energy] = cdrColumns(decision.payload);
      if (previous) {
        await c.query(`UPDATE cdrs SET partner_identifier = $1, started_at = $2, stopped_at = $3, energy = $4, payload = $5, raw = $6, versions = versions + 1, updated_at = $7
          WHERE session_id = $8`, [post.partnerIdentifier, start, stop, energy, payload, raw, post.at, post.sessionId]);
      } else {
        await c.query(`INSERT INTO cdrs (session_id, partner_id, partner_identifier, evse_id, evse_key, user_type, user_id, started_at, stopped_at, energy, payload, raw, received_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`, [post.sessionId, post.partnerId, post.partnerIdentifier, post.evseId, post.evseKey,
          post.userType, post.userId, start, stop, energy, payload, raw, post.at]);
      }
      await supersede(c, decision.outbox);
      out.outboxIds = await insertOutboxRows(c, decision.outbox, post.at);
      return out;
    });
    if (result.outboxIds.length) signalOutbox(this.db);
    return result;
  }

  async get(sessionId: string): Promise<CdrRecord | undefined> {
    const [row] = await this.db.query<CdrRow>('SELECT * FROM cdrs WHERE session_id = $1', [sessionId]);
    return row && toCdr(row);
  }

  async saveFleetCards(partnerId: number, cards: FleetCardInput[], at: number): Promise<number> {
    return this.db.tx(async (c) => {
      for (const card of cards) {
        const [old] = (await c.query<{ data: string; evco_key: string | null; uid: string | null }>(
          'SELECT data, evco_key, uid FROM fleet_cards WHERE partner_id = $1 AND fm_card_uid = $2 FOR UPDATE', [partnerId, card.fmCardUid],
        )).rows;
        // A status update from the fleet may leave out the EVCO ID / UID the card already has.
        const data = { ...(old ? JSON.parse(old.data) : {}), ...card.data };
        await c.query(
          `INSERT INTO fleet_cards (partner_id, fm_card_uid, fleet_member_uid, evco_key, uid, card_status, data, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (partner_id, fm_card_uid) DO UPDATE SET fleet_member_uid = excluded.fleet_member_uid, evco_key = excluded.evco_key, uid = excluded.uid,
             card_status = excluded.card_status, data = excluded.data, updated_at = excluded.updated_at`,
          [partnerId, card.fmCardUid, card.fleetMemberUid, card.evcoKey ?? old?.evco_key ?? null, card.uid ?? old?.uid ?? null, card.cardStatus, JSON.stringify(data), at],
        );
      }
      return cards.length;
    });
  }

  async fleetSubscribers(q: { evcoKeys: string[]; uids: string[] }): Promise<number[]> {
    return fleetSubscribersWith((sql, params) => this.db.query<{ partner_id: number }>(sql, params), q);
  }
}

/** Fleet partners with a live card for any of these EVCO keys or UIDs; `query` runs on the pool or in a transaction. */
async function fleetSubscribersWith(query: (sql: string, params: unknown[]) => Promise<Array<{ partner_id: number }>>, q: { evcoKeys: string[]; uids: string[] }): Promise<number[]> {
  const evco = q.evcoKeys.filter(Boolean);
  const uids = q.uids.filter(Boolean);
  if (evco.length === 0 && uids.length === 0) return [];
  const rows = await query(
    `SELECT DISTINCT partner_id FROM fleet_cards WHERE card_status <> 'REQUEST_REJECTED' AND (evco_key = ANY($1::text[]) OR uid = ANY($2::text[])) ORDER BY partner_id`,
    [evco, uids],
  );
  return rows.map((r) => r.partner_id);
}
