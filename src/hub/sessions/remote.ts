/**
 * session-start and session-stop, EMP/OEM -> hub -> CPO (shared/protocol.md, "Remote start/stop
 * and reservations"; docs/calls/session_start.rst, session_stop.rst). The hub checks what it can
 * answer alone (181, 320, 182, 188, 300) before bothering the CPO, then relays the CPO's answer.
 */
import { oioiError, isSuccess } from '../../protocol/index.js';
import type { SessionStart, SessionStop } from '../../protocol/messages/session.js';
import type { RemoteSessionRecord } from '../../storage/sessions.js';
import type { HandlerContext } from '../../transport/server/index.js';
import type { HubContext } from '../context.js';
import { cpoEndpoint, relayResult, resolveConnector, sendToCpo } from './cpo.js';
import { forwardedUser, ownsEvco, userKey } from './identity.js';

/**
 * Starts a session at the CPO that owns the connector and records it with who started it.
 * Example: `await startSession(ctx, payload, 7)` -> `{ result, 'session-start': { 'session-id', 'is-stoppable' } }`.
 */
export async function startSession(ctx: HubContext, p: SessionStart, partnerId: number) {
  const connector = await resolveConnector(ctx, p['connector-id']);
  const now = ctx.now().getTime();
  const key = userKey(p.user['identifier-type'], p.user.identifier);
  const reservation = await ctx.storage.sessions.activeReservationOn(connector.connectorId, now);
  // Only the identifiers named in the reservation may start there (docs/cpo/reservation.rst).
  const reservedForUser = reservation?.identifiers.some((i) => i.valueKey === key) ?? false;
  if (reservation && !reservedForUser) throw oioiError(320, `EVSE ${connector.evseId} is reserved for another customer`);
  const { cpo, endpoint } = cpoEndpoint(ctx, connector.cpoPartnerId);
  const forwarded: Record<string, unknown> = { user: forwardedUser(p.user), 'connector-id': connector.evseId };
  if (p['payment-reference'] !== undefined) forwarded['payment-reference'] = p['payment-reference'];
  const answer = await sendToCpo(ctx, cpo, endpoint, 'session-start', forwarded);
  const result = relayResult(answer);
  if (!isSuccess(result.code)) return { result };
  // Both spellings are read: nested under `session-start` (the spec's example) or beside `result` (its field list).
  const nested = answer.body['session-start'] ?? {};
  const sessionId = typeof nested['session-id'] === 'string' ? nested['session-id'] : typeof answer.body['session-id'] === 'string' ? answer.body['session-id'] : undefined;
  const stoppableRaw = nested['is-stoppable'] ?? answer.body['is-stoppable'];
  const stoppable = stoppableRaw === true;
  await ctx.storage.sessions.recordStart(
    {
      partnerId, connector, userType: p.user['identifier-type'], userId: p.user.identifier, userKey: key, stoppable, startedAt: ctx.now().getTime(),
      ...(sessionId !== undefined ? { cpoSessionId: sessionId } : {}),
    },
    reservation?.id,
  );
  const out: Record<string, unknown> = {};
  if (sessionId !== undefined) out['session-id'] = sessionId;
  if (typeof stoppableRaw === 'boolean') out['is-stoppable'] = stoppableRaw;
  return Object.keys(out).length > 0 ? { result, 'session-start': out } : { result };
}

/** Whether a partner may act on a session: it started it, or it is the EMP of its EVCO ID. */
function mayControl(ctx: HubContext, s: RemoteSessionRecord, partnerId: number): boolean {
  if (s.partnerId === partnerId) return true;
  return s.userType === 'evco-id' && ownsEvco(ctx.auth.partner(partnerId), s.userId);
}

/**
 * Stops a session the hub started. Sessions of other partners are answered 182 exactly like unknown
 * ones, so nobody learns what runs where. Example: `await stopSession(ctx, payload, 7)`.
 */
export async function stopSession(ctx: HubContext, p: SessionStop, partnerId: number) {
  const connector = await resolveConnector(ctx, p['connector-id']);
  const wanted = p['session-id'];
  const session = (await ctx.storage.sessions.activeSessions(connector.evseKey))
    .find((s) => (wanted === undefined || s.cpoSessionId === wanted) && mayControl(ctx, s, partnerId));
  if (!session) throw oioiError(182, 'session not found');
  if (!session.stoppable) throw oioiError(188, `the operator marked this session as not stoppable remotely`);
  const { cpo, endpoint } = cpoEndpoint(ctx, session.cpoPartnerId);
  const forwarded: Record<string, unknown> = { user: forwardedUser(p.user), 'connector-id': session.evseId };
  const sessionId = session.cpoSessionId ?? wanted;
  if (sessionId !== undefined) forwarded['session-id'] = sessionId;
  const answer = await sendToCpo(ctx, cpo, endpoint, 'session-stop', forwarded);
  const result = relayResult(answer);
  if (isSuccess(result.code)) await ctx.storage.sessions.markStopped(session.id, ctx.now().getTime());
  return { result };
}

/** The session-start / session-stop handlers. */
export function remoteSessionHandlers(ctx: HubContext) {
  return {
    'session-start': (p: SessionStart, h: HandlerContext) => startSession(ctx, p, Number(h.principal.partnerId)),
    'session-stop': (p: SessionStop, h: HandlerContext) => stopSession(ctx, p, Number(h.principal.partnerId)),
  };
}
