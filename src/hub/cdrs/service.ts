/**
 * session-post (CDR), CPO -> hub: stored idempotently on `session-id`, forwarded through the outbox
 * in the same transaction (shared/protocol.md, "CDRs"; docs/calls/session_post.rst).
 */
import { evseKey, OioiError, oioiError } from '../../protocol/index.js';
import type { SessionPost } from '../../protocol/messages/session.js';
import type { CdrDecision } from '../../storage/cdrs.js';
import type { HubContext } from '../context.js';
import { userKey } from '../sessions/identity.js';
import { canonicalJson, mergeCdr } from './merge.js';
import { routeCdr, type CdrRoute } from './routing.js';

export type CdrOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Stores one CDR and queues its forwarding. Equal repeats change nothing and are not forwarded
 * again; a post that adds or changes data updates the record and forwards the whole record again.
 * Example: `await postCdr(ctx, payload, cpoPartnerId)` -> 'created'.
 */
export async function postCdr(ctx: HubContext, p: SessionPost, partnerId: number): Promise<CdrOutcome> {
  const sessionId = p['session-id'];
  const route = await routeCdr(ctx, p, partnerId);
  const at = ctx.now().getTime();
  const payload = p as unknown as Record<string, unknown>;
  // The remote session and the fleets' subscriptions are read in the CDR's own write (two storage rounds less per CDR).
  let routed: CdrRoute = { recipients: [], via: 'none' };
  const forward = (record: Record<string, unknown>) => routed.recipients.map((id) => ({ partnerId: id, call: 'session-post', payload: record, subject: sessionId }));
  const { decision, previous } = await ctx.storage.cdrs.save(
    {
      sessionId, partnerId, partnerIdentifier: p['partner-identifier'], evseId: p['connector-id'], evseKey: evseKey(p['connector-id']),
      userType: p.user['identifier-type'], userId: p.user.identifier, raw: p, at, fleets: route.fleets, session: route.session,
    },
    (existing, fleets, remote): CdrDecision => {
      routed = route.route(remote, fleets);
      if (!existing) return { action: 'write', payload, outbox: forward(payload) };
      // Session ids are global: another partner's id is not this partner's to complete (nor to learn about).
      if (existing.partnerId !== partnerId) return { action: 'reject', code: 220, message: `session-id ${sessionId} belongs to another partner` };
      const stored = existing.payload as Record<string, any>;
      if (evseKey(String(stored['connector-id'])) !== evseKey(p['connector-id']) || userKey(stored.user?.['identifier-type'], String(stored.user?.identifier)) !== userKey(p.user['identifier-type'], p.user.identifier)) {
        return { action: 'reject', code: 230, message: `session-id ${sessionId} is already recorded for another connector-id or user` };
      }
      const merged = mergeCdr(stored, payload);
      if (canonicalJson(merged) === canonicalJson(stored)) return { action: 'unchanged' };
      return { action: 'write', payload: merged, outbox: forward(merged) };
    },
  );
  if (decision.action === 'reject') throw decision.code === 230 ? new OioiError(230, decision.message, { httpStatus: 400 }) : oioiError(decision.code, decision.message);
  if (decision.action === 'unchanged') return 'unchanged';
  // A CDR with a stop time ends the remote session it belongs to.
  if (routed.remoteSessionId !== undefined && typeof (decision.payload['session-interval'] as any)?.stop === 'string') {
    await ctx.storage.sessions.markStopped(routed.remoteSessionId, at);
  }
  ctx.log.info({ msg: 'cdr stored', sessionId, outcome: previous ? 'updated' : 'created', via: routed.via, recipients: routed.recipients });
  return previous ? 'updated' : 'created';
}
