// One CDR: its facts, the forwarding history (one outbox entry per receiving partner) and the
// session-post exactly as the CPO sent it.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { dateTime } from '../format';
import type { CdrRow, Forwarding } from '../types';

interface Answer { cdr: CdrRow & { payload: unknown }; forwarding: Forwarding[] }

export function CdrDetail({ id, onClose }: { id: string | number; onClose: () => void }) {
  const [data, setData] = useState<Answer | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setData(null);
    const load = () => get<Answer>(`/cdrs/${encodeURIComponent(String(id))}`).then((d) => { setData(d); setError(''); }, (e) => setError((e as Error).message));
    void load();
    const t = window.setInterval(load, 3000); // forwarding moves on while we look
    return () => window.clearInterval(t);
  }, [id]);
  return (
    <section class="card cdr-detail" data-testid="cdr-detail">
      <header><h2>CDR #{id}</h2><button class="link close" onClick={onClose} aria-label="Close">✕</button></header>
      {error && <p class="error">{error}</p>}
      {!data && !error && <p class="muted">Loading…</p>}
      {data && <>
        <dl class="facts">
          <dt>Session</dt><dd class="mono">{data.cdr.sessionId}</dd>
          <dt>EVSE ID</dt><dd class="mono">{data.cdr.evseId}</dd>
          <dt>User</dt><dd class="mono">{data.cdr.evcoId ? `EVCO ${data.cdr.evcoId}` : data.cdr.rfid ? `RFID ${data.cdr.rfid}` : '–'}</dd>
          <dt>Interval</dt><dd>{dateTime(data.cdr.startedAt)} – {dateTime(data.cdr.endedAt)}</dd>
          <dt>Energy</dt><dd>{data.cdr.energyKwh ?? '–'} kWh</dd>
          <dt>CPO</dt><dd>partner #{data.cdr.cpoPartnerId}</dd>
        </dl>
        <h3>Forwarding</h3>
        {data.forwarding.length === 0 ? <p class="muted">Not forwarded to anyone (no partner owns this user).</p> : (
          <table class="compact" data-testid="forwarding">
            <thead><tr><th>To</th><th>State</th><th class="num">Attempts</th><th>Last code / error</th><th>Queued</th><th>Delivered</th></tr></thead>
            <tbody>{data.forwarding.map((f) => (
              <tr key={f.outboxId} data-state={f.state} data-partner={f.partnerName}>
                <td>{f.partnerName}</td><td><span class={`state state-${f.state}`}>{f.state}</span></td><td class="num">{f.attempts}</td>
                <td class="ellipsis" title={f.lastError ?? ''}>{f.lastCode ?? ''} {f.lastError ?? ''}</td>
                <td>{dateTime(f.createdAt)}</td><td>{dateTime(f.deliveredAt)}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
        <details><summary>session-post as received</summary><pre class="json">{JSON.stringify(data.cdr.payload, null, 2)}</pre></details>
      </>}
    </section>
  );
}
