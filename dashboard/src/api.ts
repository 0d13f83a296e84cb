// The dashboard's only door to the hub: JSON over fetch with the session cookie, the CSRF header on
// every mutating call, and one place that notices an expired session (401) and shows the login again.

/** Thrown for any non-2xx answer; `message` is the hub's `error` text. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

let onLoggedOut: () => void = () => {};
/** Registers what to do when the hub answers 401 (session gone). Example: `whenLoggedOut(() => setUser(null))`. */
export function whenLoggedOut(fn: () => void): void { onLoggedOut = fn; }

const BASE = '/dashboard/api';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-requested-with'] = 'oioi-dashboard';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(BASE + path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: any = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    if (res.status === 401 && path !== '/login') onLoggedOut();
    throw new ApiError(res.status, parsed?.error ?? `HTTP ${res.status}`);
  }
  return parsed as T;
}

/** GET a JSON route. Example: `await get<{ name: string }>('/me')`. */
export const get = <T>(path: string) => call<T>('GET', path);
/** POST a JSON body. Example: `await post('/outbox/retry', { partnerId: 3 })`. */
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);
/** PATCH a JSON body. Example: `await patch('/partners/3', { endpoint: null })`. */
export const patch = <T>(path: string, body: unknown) => call<T>('PATCH', path, body);

/** Builds a query string, leaving empty values out. Example: `qs({ call: 'station-post', code: '' })` -> `?call=station-post`. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
