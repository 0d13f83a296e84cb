/** PostgreSQL implementation of CdrRepository (tables of migration 450; outbox of 500). */
import type { CdrDecider, CdrPost, CdrRecord, CdrRepository, CdrSaveResult, FleetCardInput } from '../cdrs.js';
import { toCdr, type CdrRow } from '../rows/cdrs.js';
import { CdrSaveBatcher } from './cdr-save-batch.js';
import type { PgDatabase } from './database.js';
import { fleetSubscribersParams, fleetSubscribersSql } from './fleet-sql.js';

/** CDRs and fleet cards on PostgreSQL. Example: `await new PgCdrs(db).get('abc-123')`. */
export class PgCdrs implements CdrRepository {
  /** The saves of one turn go to the database together (cdr-save-batch.ts). */
  private readonly saves: CdrSaveBatcher;

  constructor(private readonly db: PgDatabase) {
    this.saves = new CdrSaveBatcher(db);
  }

  save(post: CdrPost, decide: CdrDecider): Promise<CdrSaveResult> {
    return this.saves.save(post, decide);
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
    const params = fleetSubscribersParams(q);
    if (params[0].length === 0 && params[1].length === 0) return [];
    const [row] = await this.db.query<{ fleets: number[] }>(`SELECT ${fleetSubscribersSql(1)} AS fleets`, params);
    return row?.fleets ?? [];
  }
}
