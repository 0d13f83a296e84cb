// The Sessions & CDRs screen: one search box (EVSE ID, EVCO ID, RFID UID or session id), the
// matching sessions and CDRs, and a CDR's detail with where the hub forwarded it.
import { useEffect, useState } from 'preact/hooks';
import { get, qs } from '../api';
import { dateTime } from '../format';
import { navigate } from '../router';
import type { CdrRow, SessionRow } from '../types';
import { CdrDetail } from './cdr-detail';

interface Results { sessions: SessionRow[]; cdrs: CdrRow[] }

const fromUrl = () => new URLSearchParams(location.search).get('q') ?? '';
const price = (p: unknown) => {
  if (p && typeof p === 'object' && 'amount' in p) return `${(p as { amount: number }).amount} ${(p as { currency?: string }).currency ?? ''}`;
  return p === null || p === undefined ? '–' : String(p);
};

export function SearchPage() {
  const [q, setQ] = useState(fromUrl());
  const [results, setResults] = useState<Results | null>(null);
  const [cdr, setCdr] = useState<string | number | null>(null);
  const [error, setError] = useState('');
  const search = async (term: string) => {
    setCdr(null);
    if (!term.trim()) { setResults(null); return; }
    try {
      setResults(await get<Results>(`/search${qs({ q: term.trim() })}`));
      setError('');
    } catch (e) { setError((e as Error).message); }
  };
  useEffect(() => { void search(q); }, []);
  const submit = (e: Event) => {
    e.preventDefault();
    history.replaceState(null, '', `/dashboard/search${qs({ q: q.trim() })}`);
    void search(q);
  };
  return (
    <div class="stack">
      <form class="toolbar" onSubmit={submit} role="search">
        <h1>Sessions &amp; CDRs</h1>
        <input name="q" class="grow" placeholder="EVSE ID, EVCO ID, RFID UID or session id" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        <button type="submit">Search</button>
      </form>
      {error && <p class="error">{error}</p>}
      {results && <>
        <h2>Sessions <span class="muted">({results.sessions.length})</span></h2>
        {results.sessions.length === 0 ? <p class="muted">No sessions.</p> : (
          <table class="data" data-testid="sessions">
            <thead><tr><th>Session</th><th>EVSE ID</th><th>User</th><th>State</th><th>Started</th><th>Stopped</th></tr></thead>
            <tbody>{results.sessions.map((s) => (
              <tr key={s.id}><td class="mono">{s.id}</td><td class="mono">{s.evseId}</td><td>{s.userType} <span class="mono">{s.userId}</span></td>
                <td>{s.state}</td><td>{dateTime(s.startedAt)}</td><td>{dateTime(s.stoppedAt)}</td></tr>
            ))}</tbody>
          </table>
        )}
        <h2>CDRs <span class="muted">({results.cdrs.length})</span></h2>
        {results.cdrs.length === 0 ? <p class="muted">No CDRs.</p> : (
          <table class="data clickable" data-testid="cdrs">
            <thead><tr><th>CDR</th><th>Session</th><th>EVSE ID</th><th>User</th><th>Start</th><th>End</th><th class="num">kWh</th><th class="num">Price</th></tr></thead>
            <tbody>{results.cdrs.map((c) => (
              <tr key={c.id} data-cdr={c.id} class={cdr === c.id ? 'selected' : ''} onClick={() => setCdr(c.id)}>
                <td>#{c.id}</td><td class="mono">{c.sessionId}</td><td class="mono">{c.evseId}</td>
                <td class="mono">{c.evcoId ?? c.rfid ?? '–'}</td><td>{dateTime(c.startedAt)}</td><td>{dateTime(c.endedAt)}</td>
                <td class="num">{c.energyKwh ?? '–'}</td><td class="num">{price(c.price)}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </>}
      {cdr !== null && <CdrDetail id={cdr} onClose={() => setCdr(null)} />}
      {!results && !error && <p class="muted">Search for a charge point (<span class="mono">DE*8PS*E123</span>), a contract, a card or a session. <a href="#" onClick={(e) => { e.preventDefault(); navigate('map'); }}>Or pick a station on the map.</a></p>}
    </div>
  );
}
