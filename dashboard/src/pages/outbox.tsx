// The Outbox screen: per partner, what the hub still has to deliver (pending), what keeps failing,
// what gave up (dead letters), with a retry button that puts failing and dead entries back in line.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import type { OutboxRow } from '../types';

export function OutboxPage() {
  const [rows, setRows] = useState<OutboxRow[] | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  const load = useCallback(() => {
    get<{ partners: OutboxRow[] }>('/outbox').then((r) => { setRows(r.partners); setError(''); }, (e) => setError((e as Error).message));
  }, []);
  useEffect(() => {
    load();
    const t = window.setInterval(load, 3000);
    return () => window.clearInterval(t);
  }, [load]);
  const retry = async (partnerId?: number) => {
    try {
      const r = await post<{ retried: number }>('/outbox/retry', partnerId === undefined ? {} : { partnerId });
      setNote(`${r.retried} entr${r.retried === 1 ? 'y' : 'ies'} queued again`);
      load();
    } catch (e) { setError((e as Error).message); }
  };
  const stuck = rows?.reduce((n, r) => n + r.failing + r.dead, 0) ?? 0;
  return (
    <div class="stack">
      <div class="toolbar">
        <h1>Outbox</h1>
        <button onClick={() => retry()} disabled={stuck === 0}>Retry all</button>
        {note && <span class="muted" role="status">{note}</span>}
      </div>
      {error && <p class="error">{error}</p>}
      {rows === null ? <p class="muted">Loading…</p> : rows.length === 0 ? <p class="muted">Nothing was ever queued.</p> : (
        <table class="data" data-testid="outbox">
          <thead><tr><th>Partner</th><th class="num">Pending</th><th class="num">Failing</th><th class="num">Dead</th><th class="num">Delivered</th><th /></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.partnerId} data-partner={r.partnerName}>
                <td>{r.partnerName} <span class="muted">#{r.partnerId}</span></td>
                <td class="num">{r.pending}</td>
                <td class={`num ${r.failing ? 'warn' : ''}`}>{r.failing}</td>
                <td class={`num ${r.dead ? 'bad' : ''}`}>{r.dead}</td>
                <td class="num">{r.delivered}</td>
                <td><button class="secondary" disabled={r.failing + r.dead === 0} onClick={() => retry(r.partnerId)}>Retry</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
