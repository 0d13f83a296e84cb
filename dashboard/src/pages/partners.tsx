// The Partners screen: who is connected, how much they talk and fail, and their keys — create a
// partner, change its endpoint and modes, add a key (shown once) or revoke one.
import { Fragment } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, patch, post } from '../api';
import { KeyBanner } from '../components/key-banner';
import { count, dateTime } from '../format';
import type { ApiKeyInfo, Partner } from '../types';
import { EditPartnerForm, NewPartnerForm, type PartnerFields } from './partner-form';

export function PartnersPage() {
  const [partners, setPartners] = useState<Partner[] | null>(null);
  const [error, setError] = useState('');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const [expanded, setExpanded] = useState<number | null>(null);
  const [newKey, setNewKey] = useState<{ partnerName: string; apiKey: string } | null>(null);

  const load = useCallback(() => {
    return get<{ partners: Partner[] }>('/partners').then((r) => { setPartners(r.partners); setError(''); }, (e) => setError((e as Error).message));
  }, []);
  useEffect(() => {
    void load();
    const t = window.setInterval(() => void load(), 5000); // traffic counters move on their own
    return () => window.clearInterval(t);
  }, [load]);

  const create = async (f: PartnerFields) => {
    const r = await post<{ partner: Partner; apiKey: string }>('/partners', f);
    setCreating(false);
    setNewKey({ partnerName: r.partner.name, apiKey: r.apiKey });
    load();
  };
  const update = (p: Partner) => async (f: Partial<PartnerFields>) => {
    await patch(`/partners/${p.id}`, f);
    await load(); // close the form only once the list shows the change
    setEditing(null);
  };
  const addKey = async (p: Partner) => {
    try {
      const r = await post<{ apiKey: string; key: ApiKeyInfo }>(`/partners/${p.id}/keys`);
      setNewKey({ partnerName: p.name, apiKey: r.apiKey });
      setExpanded(p.id);
      load();
    } catch (e) { setError((e as Error).message); }
  };
  const revoke = async (p: Partner, k: ApiKeyInfo) => {
    if (!window.confirm(`Revoke key ${k.id} of ${p.name}? Requests with it will be refused at once.`)) return;
    try { await post(`/keys/${k.id}/revoke`); load(); } catch (e) { setError((e as Error).message); }
  };

  return (
    <div class="stack">
      <div class="toolbar">
        <h1>Partners</h1>
        {!creating && <button onClick={() => setCreating(true)} data-testid="add-partner">New partner</button>}
      </div>
      {newKey && <KeyBanner {...newKey} onDismiss={() => setNewKey(null)} />}
      {creating && <NewPartnerForm onSubmit={create} onCancel={() => setCreating(false)} />}
      {error && <p class="error">{error}</p>}
      {partners === null ? <p class="muted">Loading…</p> : (
        <table class="data" data-testid="partners">
          <thead><tr><th>ID</th><th>Name</th><th>Roles</th><th>Partner identifiers</th><th>Endpoint</th><th>RFID</th>
            <th class="num">Requests</th><th class="num">Errors</th><th>Keys</th><th /></tr></thead>
          <tbody>
            {partners.map((p) => {
              const active = p.keys.filter((k) => !k.revokedAt).length;
              return (
                <Fragment key={p.id}>
                  <tr data-partner={p.name}>
                    <td>{p.id}</td><td><strong>{p.name}</strong></td><td>{p.roles.join(', ')}</td>
                    <td class="mono">{p.partnerIdentifiers.join(', ')}</td>
                    <td class="mono ellipsis" title={p.endpoint ?? ''}>{p.endpoint ?? <span class="muted">none</span>}</td>
                    <td>{p.rfidAuth}</td>
                    <td class="num">{count(p.traffic.requests)}</td>
                    <td class={`num ${p.traffic.errors > 0 ? 'bad' : ''}`}>{count(p.traffic.errors)}</td>
                    <td><button class="link" onClick={() => setExpanded(expanded === p.id ? null : p.id)}>{active} active</button></td>
                    <td class="actions">
                      <button class="secondary" onClick={() => setEditing(editing === p.id ? null : p.id)}>Edit</button>
                      <button class="secondary" data-testid="add-key" onClick={() => addKey(p)}>Add key</button>
                    </td>
                  </tr>
                  {editing === p.id && <tr class="detail"><td colSpan={10}><EditPartnerForm partner={p} onSubmit={update(p)} onCancel={() => setEditing(null)} /></td></tr>}
                  {expanded === p.id && <tr class="detail"><td colSpan={10}><KeyList partner={p} onRevoke={revoke} /></td></tr>}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function KeyList({ partner, onRevoke }: { partner: Partner; onRevoke: (p: Partner, k: ApiKeyInfo) => void }) {
  if (partner.keys.length === 0) return <p class="muted">No keys.</p>;
  return (
    <table class="compact" data-testid="keys">
      <thead><tr><th>Key</th><th>Created</th><th>Revoked</th><th /></tr></thead>
      <tbody>
        {partner.keys.map((k) => (
          <tr key={k.id} data-key={k.id}>
            <td>#{k.id}</td><td>{dateTime(k.createdAt)}</td><td>{k.revokedAt ? dateTime(k.revokedAt) : '–'}</td>
            <td>{!k.revokedAt && <button class="danger" onClick={() => onRevoke(partner, k)}>Revoke</button>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
