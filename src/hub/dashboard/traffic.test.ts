import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HubEvents, type TrafficEvent } from '../events.js';
import { TrafficLog } from './traffic.js';

const T0 = Date.parse('2026-01-01T10:00:30Z');
const msg = (over: Partial<TrafficEvent> = {}): TrafficEvent => ({ at: T0, direction: 'in', call: 'station-post', partnerId: 1, partnerName: 'ACME', code: 0, httpStatus: 200, latencyMs: 1.5, ...over });

describe('dashboard traffic log', () => {
  it('should keep only the newest messages, newest first', () => {
    const events = new HubEvents();
    const log = new TrafficLog(events, 3, () => T0);
    for (let i = 0; i < 5; i++) events.traffic(msg({ latencyMs: i }));
    assert.deepEqual(log.messages({ limit: 10 }).map((m) => m.latencyMs), [4, 3, 2]);
    assert.deepEqual(log.messages({ limit: 2 }).map((m) => m.latencyMs), [4, 3]);
    log.stop();
    events.traffic(msg({ latencyMs: 9 }));
    assert.equal(log.messages({ limit: 10 })[0]!.latencyMs, 4, 'a stopped log no longer listens');
  });

  it('should filter by call, code and partner id or name', () => {
    const events = new HubEvents();
    const log = new TrafficLog(events, 100, () => T0);
    events.traffic(msg());
    events.traffic(msg({ call: 'connector-post-status', code: 181 }));
    events.traffic(msg({ partnerId: 2, partnerName: 'Other EMP', direction: 'out', call: 'session-post', code: null, httpStatus: null, error: 'timeout: no answer' }));
    assert.equal(log.messages({ call: 'station-post', limit: 10 }).length, 1);
    assert.equal(log.messages({ code: 181, limit: 10 })[0]!.call, 'connector-post-status');
    assert.equal(log.messages({ partner: '2', limit: 10 }).length, 1);
    assert.equal(log.messages({ partner: 'other', limit: 10 })[0]!.error, 'timeout: no answer');
    assert.equal(log.messages({ partner: 'acme', limit: 10 }).length, 2);
  });

  it('should count requests and errors per partner: failed codes, HTTP errors and no answer', () => {
    const events = new HubEvents();
    const log = new TrafficLog(events, 100, () => T0);
    events.traffic(msg());
    events.traffic(msg({ code: 11 }));
    events.traffic(msg({ code: 181 }));
    events.traffic(msg({ code: 0, httpStatus: 503 }));
    events.traffic(msg({ code: null, httpStatus: null }));
    events.traffic(msg({ partnerId: null }));
    assert.deepEqual(log.partnerTraffic(1), { requests: 5, errors: 3 });
    assert.deepEqual(log.partnerTraffic(7), { requests: 0, errors: 0 });
  });

  it('should give 60 minutes of counts by call and code, the current minute last', () => {
    const events = new HubEvents();
    let now = T0;
    const log = new TrafficLog(events, 100, () => now);
    events.traffic(msg({ at: T0 - 120_000 }));
    events.traffic(msg({ at: T0, code: 181, call: 'connector-post-status' }));
    events.traffic(msg({ at: T0 }));
    const s = log.series();
    assert.equal(s.requestsPerMinute.length, 60);
    assert.equal(s.requestsPerMinute.at(-1)!.minute, '2026-01-01T10:00:00+00:00');
    assert.deepEqual(s.requestsPerMinute.at(-1)!.byCall, { 'connector-post-status': 1, 'station-post': 1 });
    assert.deepEqual(s.codesOverTime.at(-1)!.byCode, { 181: 1, 0: 1 });
    assert.deepEqual(s.requestsPerMinute.at(-3)!.byCall, { 'station-post': 1 });
    now = T0 + 61 * 60_000;
    assert.ok(log.series().requestsPerMinute.every((m) => Object.keys(m.byCall).length === 0), 'older than an hour: gone from the series');
  });
});
