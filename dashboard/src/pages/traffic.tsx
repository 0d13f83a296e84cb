// The Traffic screen: the hub's recent OIOI messages (in from partners, out to partners) with result
// code and latency, then live from the event stream. Only metadata: no bodies, no keys.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { get, qs } from '../api';
import { useEvent } from '../events';
import { isSuccess, time } from '../format';
import type { Partner, TrafficMessage } from '../types';

const SHOWN = 500;
interface Filter { call: string; partner: string; code: string }

/** Whether a message passes the filter, with the same meaning as the hub's query. Example: `matches(m, { call: 'station-post', partner: '', code: '' })`. */
export function matches(m: TrafficMessage, f: Filter): boolean {
  if (f.call && m.call !== f.call) return false;
  if (f.partner && String(m.partnerId) !== f.partner) return false;
  if (f.code !== '' && String(m.code) !== f.code) return false;
  return true;
}

export function TrafficPage() {
  const [filter, setFilter] = useState<Filter>({ call: '', partner: '', code: '' });
  const [messages, setMessages] = useState<TrafficMessage[]>([]);
  const [partners, setPartners] = useState<Partner[]>([]);
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => { get<{ partners: Partner[] }>('/partners').then((r) => setPartners(r.partners), () => undefined); }, []);
  useEffect(() => {
    setMessages([]);
    get<{ messages: TrafficMessage[] }>(`/traffic${qs({ ...filter, limit: SHOWN })}`)
      .then((r) => {
        // Keep what arrived live while the query ran (newer than anything in the answer).
        const newest = r.messages[0]?.at ?? '';
        setMessages((live) => [...live.filter((m) => m.at > newest), ...r.messages].slice(0, SHOWN));
        setError('');
      }, (e) => setError((e as Error).message));
  }, [filter]);
  useEvent('traffic', useCallback((m: TrafficMessage) => {
    if (paused || !matches(m, filter)) return;
    setMessages((all) => [m, ...all].slice(0, SHOWN));
  }, [filter, paused]));

  const calls = useMemo(() => [...new Set(messages.map((m) => m.call))].sort(), [messages]);
  const latency = useMemo(() => {
    const l = messages.map((m) => m.latencyMs).sort((a, b) => a - b);
    return l.length ? { p50: Math.round(l[Math.floor(l.length * 0.5)]!), p95: Math.round(l[Math.floor(l.length * 0.95)]!) } : null;
  }, [messages]);
  const set = (k: keyof Filter) => (e: Event) => setFilter({ ...filter, [k]: (e.currentTarget as HTMLInputElement).value.trim() });

  return (
    <div class="stack">
      <div class="toolbar">
        <h1>Traffic</h1>
        <label>Call<input name="call" list="calls" placeholder="any" value={filter.call} onChange={set('call')} /></label>
        <datalist id="calls">{calls.map((c) => <option key={c} value={c} />)}</datalist>
        <label>Partner
          <select name="partner" value={filter.partner} onChange={set('partner')}>
            <option value="">any</option>
            {partners.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
          </select>
        </label>
        <label>Code<input name="code" size={4} placeholder="any" value={filter.code} onChange={set('code')} /></label>
        <button class="secondary" onClick={() => setPaused(!paused)}>{paused ? 'Resume' : 'Pause'}</button>
        {latency && <span class="muted">latency p50 {latency.p50} ms · p95 {latency.p95} ms</span>}
      </div>
      {error && <p class="error">{error}</p>}
      <table class="data" data-testid="traffic">
        <thead><tr><th>Time</th><th /><th>Call</th><th>Partner</th><th class="num">Code</th><th class="num">Latency</th><th>Error</th></tr></thead>
        <tbody>
          {messages.length === 0 && <tr><td colSpan={7} class="muted">No messages yet.</td></tr>}
          {messages.map((m, i) => (
            <tr key={`${m.at}-${i}`} data-call={m.call} class={isSuccess(m.code) ? '' : 'bad-row'}>
              <td class="mono">{time(m.at)}</td>
              <td title={m.direction === 'in' ? 'from partner to hub' : 'from hub to partner'}>{m.direction === 'in' ? '→ hub' : 'hub →'}</td>
              <td class="mono">{m.call}</td>
              <td>{m.partnerName ?? <span class="muted">unknown</span>}</td>
              <td class="num">{m.code ?? '–'}</td>
              <td class="num">{m.latencyMs < 10 ? m.latencyMs.toFixed(1) : Math.round(m.latencyMs)} ms</td>
              <td class="ellipsis" title={m.error ?? ''}>{m.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
