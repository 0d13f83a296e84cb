/**
 * What the gateway answers a charger (OCPP 1.6J, charge point -> central system): boot,
 * heartbeats, statuses, authorization, transactions and meter values. Schema validation of both
 * directions is ocpp-rpc's strict mode; these handlers see only valid messages.
 */
import type { RPCClient } from 'ocpp-rpc';
import { createRPCError } from 'ocpp-rpc';
import type { CpoContext } from './context.js';
import { registerWh } from './energy.js';
import type { OcppStatus } from './status.js';
import { addReading, closeTransaction, openTransaction, sessionPostOf, transactionById, type TxUser } from './transactions.js';
import { pushLocalList } from './local-list.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The time a charger stamped, or now when it is unreadable. */
function timeOf(ctx: CpoContext, stamp: string | undefined): number {
  const t = stamp ? Date.parse(stamp) : NaN;
  return Number.isFinite(t) ? t : ctx.now();
}

/** A pending remote start this idTag belongs to (on any connector of this charger). */
function remoteTokenOf(ctx: CpoContext, chargePoint: string, idTag: string): { key: string; user: NonNullable<TxUser> } | undefined {
  for (const [key, p] of ctx.pendingStarts) {
    if (key.startsWith(`${chargePoint}/`) && p.idTag === idTag && p.expiresAt > ctx.now()) return { key, user: p.user };
  }
  return undefined;
}

/**
 * Registers the central-system handlers on one connected charger.
 * Example: `server.on('client', (c) => handleCharger(ctx, c))`.
 */
export function handleCharger(ctx: CpoContext, client: RPCClient): void {
  const id = client.identity!;
  const location = (connectorId: number) => ctx.config().chargePoints.get(id)?.connectors.get(connectorId);

  // The charger's first message of a connection (a boot, or a heartbeat after a mere reconnect)
  // shows it is up and taking calls: then its local list is brought up to date, once.
  let listChecked = false;
  client.on('call', ({ outbound }: { outbound: boolean }) => {
    if (outbound || listChecked) return;
    listChecked = true;
    setTimeout(() => void pushLocalList(ctx, id, client), 20);
  });

  client.handle('BootNotification', async ({ params }: any) => {
    ctx.log.info({ msg: 'charger booted', chargePoint: id, vendor: params.chargePointVendor, model: params.chargePointModel });
    return { status: 'Accepted', currentTime: iso(ctx.now()), interval: ctx.settings.heartbeatIntervalS };
  });

  client.handle('Heartbeat', async () => ({ currentTime: iso(ctx.now()) }));

  client.handle('StatusNotification', async ({ params }: any) => {
    const loc = params.connectorId === 0 ? undefined : location(params.connectorId);
    if (loc) ctx.chargers.status(loc, params.status as OcppStatus);
    else if (params.connectorId !== 0) ctx.log.warn({ msg: 'status of a connector not in the stations file', chargePoint: id, connectorId: params.connectorId });
    return {};
  });

  client.handle('Authorize', async ({ params }: any) => {
    if (remoteTokenOf(ctx, id, params.idTag)) return { idTagInfo: { status: 'Accepted' } };
    const d = await ctx.decide(params.idTag);
    return { idTagInfo: { status: d.status } };
  });

  client.handle('StartTransaction', async ({ params }: any) => {
    const loc = location(params.connectorId);
    if (!loc) throw createRPCError('PropertyConstraintViolation', `connector ${params.connectorId} of ${id} is not in the stations file`);
    const remote = remoteTokenOf(ctx, id, params.idTag);
    let user: TxUser;
    let status: 'Accepted' | 'Blocked' | 'Invalid' = 'Accepted';
    if (remote) user = remote.user;
    else {
      const d = await ctx.decide(params.idTag);
      status = d.status;
      // A refused card is still recorded (the charger may already deliver energy), but billed to nobody.
      user = d.status === 'Accepted' && d.uid ? { 'identifier-type': 'rfid', identifier: d.uid } : undefined;
    }
    const tx = openTransaction(ctx.db, {
      chargePoint: id, connectorId: params.connectorId, evseId: loc.evseId, idTag: params.idTag, user, remote: remote !== undefined,
      meterStart: params.meterStart, startedAt: timeOf(ctx, params.timestamp),
    });
    if (params.reservationId !== undefined) ctx.db.prepare('UPDATE reservations SET ended = 1 WHERE id = ?').run(params.reservationId);
    if (remote) {
      const pending = ctx.pendingStarts.get(remote.key);
      ctx.pendingStarts.delete(remote.key);
      pending?.resolve?.(tx.sessionId);
    }
    ctx.log.info({ msg: 'transaction started', chargePoint: id, connectorId: params.connectorId, transactionId: tx.id, sessionId: tx.sessionId, idTagStatus: status });
    if (ctx.settings.postOngoingSessions) {
      const post = sessionPostOf(ctx.db, tx, ctx.partnerIdentifier);
      if (post) ctx.outbox.enqueue('session-post', post);
    }
    return { transactionId: tx.id, idTagInfo: { status } };
  });

  client.handle('MeterValues', async ({ params }: any) => {
    if (params.transactionId === undefined) return {};
    const tx = transactionById(ctx.db, params.transactionId);
    if (!tx || tx.chargePoint !== id) return {};
    for (const mv of params.meterValue) {
      const wh = registerWh(mv.sampledValue);
      if (wh !== undefined) addReading(ctx.db, tx.id, timeOf(ctx, mv.timestamp), wh);
    }
    return {};
  });

  client.handle('StopTransaction', async ({ params }: any) => {
    const tx = transactionById(ctx.db, params.transactionId);
    if (!tx || tx.chargePoint !== id) {
      ctx.log.warn({ msg: 'StopTransaction for an unknown transaction', chargePoint: id, transactionId: params.transactionId });
      return {};
    }
    for (const mv of params.transactionData ?? []) {
      const wh = registerWh(mv.sampledValue);
      if (wh !== undefined) addReading(ctx.db, tx.id, timeOf(ctx, mv.timestamp), wh);
    }
    const stoppedAt = timeOf(ctx, params.timestamp);
    // One SQLite transaction: the stop and its CDR in the outbox are committed together or not at all.
    ctx.db.transaction(() => {
      if (!closeTransaction(ctx.db, tx.id, params.meterStop, stoppedAt, params.reason)) return;
      const cdr = sessionPostOf(ctx.db, { ...tx, meterStop: params.meterStop, stoppedAt }, ctx.partnerIdentifier);
      if (cdr) ctx.outbox.enqueue('session-post', cdr);
    })();
    ctx.log.info({ msg: 'transaction stopped', chargePoint: id, transactionId: tx.id, sessionId: tx.sessionId });
    return { idTagInfo: { status: 'Accepted' } };
  });

  client.handle('DataTransfer', async () => ({ status: 'UnknownVendorId' }));
  client.handle('DiagnosticsStatusNotification', async () => ({}));
  client.handle('FirmwareStatusNotification', async () => ({}));
  client.handle(async ({ method }: any) => {
    throw createRPCError('NotImplemented', `${method} is not handled by this central system`);
  });
}
