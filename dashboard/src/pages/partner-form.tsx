// The form for a new partner, and the smaller one that edits an existing partner's endpoint and modes.
import { useState } from 'preact/hooks';
import type { Partner, RfidAuth } from '../types';

export const ROLES = ['cpo', 'emp', 'oem', 'fleet'] as const;
const splitList = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);

export interface PartnerFields { name: string; roles: string[]; endpoint?: string | null; endpointKey?: string; rfidAuth: RfidAuth; evcoPrefixes: string[] }

/** Creating a partner: name, roles, and optionally where and how the hub calls it. */
export function NewPartnerForm({ onSubmit, onCancel }: { onSubmit: (f: PartnerFields) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [endpoint, setEndpoint] = useState('');
  const [endpointKey, setEndpointKey] = useState('');
  const [rfidAuth, setRfidAuth] = useState<RfidAuth>('none');
  const [prefixes, setPrefixes] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    if (roles.length === 0) return setError('pick at least one role');
    setError('');
    try {
      await onSubmit({
        name: name.trim(), roles, rfidAuth, evcoPrefixes: splitList(prefixes),
        ...(endpoint.trim() ? { endpoint: endpoint.trim() } : {}), ...(endpointKey ? { endpointKey } : {}),
      });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="card form-grid" data-testid="new-partner" onSubmit={submit}>
      <h2>New partner</h2>
      <label>Name<input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
      <fieldset><legend>Roles</legend>
        {ROLES.map((r) => (
          <label class="inline" key={r}><input type="checkbox" name={`role-${r}`} checked={roles.includes(r)}
            onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, r] : roles.filter((x) => x !== r))} /> {r}</label>
        ))}
      </fieldset>
      <label>Endpoint URL<input name="endpoint" type="url" placeholder="https://partner.example/api/v4/request" value={endpoint}
        onInput={(e) => setEndpoint(e.currentTarget.value)} /></label>
      <label>Endpoint key<input name="endpointKey" value={endpointKey} autocomplete="off" onInput={(e) => setEndpointKey(e.currentTarget.value)} /></label>
      <RfidSelect value={rfidAuth} onChange={setRfidAuth} />
      <label>EVCO ID prefixes<input name="evcoPrefixes" placeholder="DE8PS, NL123" value={prefixes} onInput={(e) => setPrefixes(e.currentTarget.value)} /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions"><button type="submit">Create partner</button><button type="button" class="secondary" onClick={onCancel}>Cancel</button></div>
    </form>
  );
}

function RfidSelect({ value, onChange }: { value: RfidAuth; onChange: (v: RfidAuth) => void }) {
  return (
    <label>RFID authorization
      <select name="rfidAuth" value={value} onChange={(e) => onChange(e.currentTarget.value as RfidAuth)}>
        <option value="none">none</option><option value="online">online</option><option value="offline">offline</option>
      </select>
    </label>
  );
}

/** Editing a partner: name, endpoint (empty removes it), endpoint key (empty keeps it), RFID mode, prefixes. */
export function EditPartnerForm({ partner, onSubmit, onCancel }: { partner: Partner; onSubmit: (f: Partial<PartnerFields>) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(partner.name);
  const [endpoint, setEndpoint] = useState(partner.endpoint ?? '');
  const [endpointKey, setEndpointKey] = useState('');
  const [rfidAuth, setRfidAuth] = useState<RfidAuth>(partner.rfidAuth);
  const [prefixes, setPrefixes] = useState(partner.evcoPrefixes.join(', '));
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const change: Partial<PartnerFields> = {};
    if (name.trim() !== partner.name) change.name = name.trim();
    if ((endpoint.trim() || null) !== partner.endpoint) change.endpoint = endpoint.trim() || null;
    if (endpointKey) change.endpointKey = endpointKey;
    if (rfidAuth !== partner.rfidAuth) change.rfidAuth = rfidAuth;
    const list = splitList(prefixes);
    if (list.join(',') !== partner.evcoPrefixes.join(',')) change.evcoPrefixes = list;
    if (Object.keys(change).length === 0) return onCancel();
    try { await onSubmit(change); } catch (err) { setError((err as Error).message); }
  };
  return (
    <form class="form-grid edit" data-testid="edit-partner" onSubmit={submit}>
      <label>Name<input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
      <label>Endpoint URL<input name="endpoint" type="url" value={endpoint} onInput={(e) => setEndpoint(e.currentTarget.value)} /></label>
      <label>New endpoint key<input name="endpointKey" placeholder="unchanged" autocomplete="off" value={endpointKey} onInput={(e) => setEndpointKey(e.currentTarget.value)} /></label>
      <RfidSelect value={rfidAuth} onChange={setRfidAuth} />
      <label>EVCO ID prefixes<input name="evcoPrefixes" value={prefixes} onInput={(e) => setPrefixes(e.currentTarget.value)} /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions"><button type="submit">Save</button><button type="button" class="secondary" onClick={onCancel}>Cancel</button></div>
    </form>
  );
}
