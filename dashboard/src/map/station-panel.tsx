// Side panel of one station: owner, address, connectors with their statuses, and the last changes the
// hub saw. Re-reads itself when a live status event concerns this station.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { useEvent } from '../events';
import { dateTime, time } from '../format';
import { navigate } from '../router';
import type { StationDetail, StatusEvent } from '../types';
import { StatusBadge } from '../components/status-badge';

export function StationPanel({ id, onClose }: { id: number; onClose: () => void }) {
  const [station, setStation] = useState<StationDetail | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    get<StationDetail>(`/stations/${id}`).then((s) => { setStation(s); setError(''); }, (e) => setError((e as Error).message));
  }, [id]);
  useEffect(() => { setStation(null); load(); }, [load]);
  useEvent('status', useCallback((ev: StatusEvent) => { if (ev.stationId === id) load(); }, [id, load]));

  const address = station?.address as Record<string, string | number | undefined> | null | undefined;
  return (
    <aside class="side-panel card" data-testid="station-panel">
      <header>
        <h2>{station?.name ?? `Station ${id}`}</h2>
        <button class="link close" onClick={onClose} aria-label="Close">✕</button>
      </header>
      {error && <p class="error">{error}</p>}
      {!station && !error && <p class="muted">Loading…</p>}
      {station && <>
        <p><StatusBadge status={station.summary} /> {station.deleted && <span class="badge deleted">deleted by its CPO</span>} <span class="muted">hub id {station.id}</span></p>
        <dl class="facts">
          <dt>Owner</dt><dd>{station.owner.name ?? `partner #${station.owner.partnerId}`} <span class="muted">({station.owner.partnerIdentifier})</span></dd>
          {address && <><dt>Address</dt><dd>{[address.street, address['street-number']].filter(Boolean).join(' ')}, {address.zip} {address.city} {address.country}</dd></>}
          <dt>Position</dt><dd>{station.lat.toFixed(5)}, {station.lon.toFixed(5)}</dd>
        </dl>
        <h3>Connectors</h3>
        <table class="compact" data-testid="connectors">
          <thead><tr><th>EVSE ID</th><th>Type</th><th>kW</th><th>Status</th><th>Since</th></tr></thead>
          <tbody>
            {station.connectors.map((c) => (
              <tr key={c.id} data-evse={c.evseId}>
                <td><a href="#" onClick={(e) => { e.preventDefault(); navigate('search', `?q=${encodeURIComponent(c.evseId)}`); }}>{c.evseId}</a></td>
                <td>{c.type}</td><td>{c.speed}</td><td><StatusBadge status={c.status} /></td><td>{time(c.statusChangedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Last changes</h3>
        {station.recentChanges.length === 0 ? <p class="muted">None since the hub started.</p> : (
          <ul class="changes" data-testid="recent-changes">
            {station.recentChanges.map((c, i) => <li key={i}><span class="muted">{dateTime(c.at)}</span> {c.evseId} <StatusBadge status={c.status} /></li>)}
          </ul>
        )}
      </>}
    </aside>
  );
}
