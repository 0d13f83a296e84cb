import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest } from '../protocol/index.js';
import { openCpoDb } from './store.js';
import { addReading, closeTransaction, openTransaction, openTransactionOn, sessionPostOf, transactionById, transactionBySession } from './transactions.js';

const PID = 'P'.repeat(32);
const T = Date.parse('2024-05-01T10:00:00Z');
const card = { 'identifier-type': 'rfid' as const, identifier: '0A1B2C3D' };

describe('transactions', () => {
  it('should turn a running transaction into an ongoing session-post and a stopped one into a CDR the schema accepts', () => {
    const db = openCpoDb(':memory:');
    const tx = openTransaction(db, { chargePoint: 'CP1', connectorId: 1, evseId: 'DE*GWY*E1', idTag: '0A1B2C3D', user: card, remote: false, meterStart: 2000, startedAt: T });
    assert.equal(openTransactionOn(db, 'CP1', 1)?.id, tx.id);
    assert.deepEqual(sessionPostOf(db, tx, PID), { user: card, 'session-id': tx.sessionId, 'connector-id': 'DE*GWY*E1', 'partner-identifier': PID, 'session-interval': { start: '2024-05-01T10:00:00+00:00' } });
    addReading(db, tx.id, T + 60_000, 2000);
    addReading(db, tx.id, T + 120_000, 9000);
    assert.equal(closeTransaction(db, tx.id, 9000, T + 600_000, 'Local'), true);
    assert.equal(closeTransaction(db, tx.id, 9999, T + 700_000, 'Local'), false, 'a repeated StopTransaction changes nothing');
    assert.equal(openTransactionOn(db, 'CP1', 1), undefined);
    const cdr = sessionPostOf(db, transactionById(db, tx.id)!, PID)!;
    assert.deepEqual(cdr['session-interval'], { start: '2024-05-01T10:00:00+00:00', stop: '2024-05-01T10:10:00+00:00' });
    assert.deepEqual(cdr['charging-interval'], { start: '2024-05-01T10:01:00+00:00', stop: '2024-05-01T10:02:00+00:00' });
    assert.equal(cdr['energy-consumed'], 7);
    assert.doesNotThrow(() => parseRequest({ 'session-post': cdr }));
    assert.equal(transactionBySession(db, tx.sessionId)?.id, tx.id);
  });

  it('should keep a transaction of a refused card without a CDR, and never let a CDR interval run backwards', () => {
    const db = openCpoDb(':memory:');
    const refused = openTransaction(db, { chargePoint: 'CP1', connectorId: 2, evseId: 'DE*GWY*E2', idTag: 'STRANGER', user: undefined, remote: false, meterStart: 0, startedAt: T });
    closeTransaction(db, refused.id, 100, T + 1000, 'DeAuthorized');
    assert.equal(sessionPostOf(db, transactionById(db, refused.id)!, PID), undefined);
    const skewed = openTransaction(db, { chargePoint: 'CP1', connectorId: 1, evseId: 'DE*GWY*E1', idTag: '0A1B2C3D', user: card, remote: false, meterStart: 0, startedAt: T });
    closeTransaction(db, skewed.id, 500, T - 5000, 'Local');
    const cdr = sessionPostOf(db, transactionById(db, skewed.id)!, PID)!;
    assert.equal(cdr['session-interval'].start, cdr['session-interval'].stop);
    assert.equal(cdr['energy-consumed'], 0.5);
  });

  it('should give each transaction its own id and a unique session id', () => {
    const db = openCpoDb(':memory:');
    const a = openTransaction(db, { chargePoint: 'CP1', connectorId: 1, evseId: 'DE*GWY*E1', idTag: 'A', user: card, remote: false, meterStart: 0, startedAt: T });
    const b = openTransaction(db, { chargePoint: 'CP1', connectorId: 2, evseId: 'DE*GWY*E2', idTag: 'B', user: card, remote: true, meterStart: 0, startedAt: T });
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.sessionId, b.sessionId);
    assert.equal(transactionById(db, b.id)?.remote, true);
  });
});
