// One EventSource for the whole page (SSE from /dashboard/api/events): pages subscribe to `traffic`
// or `status` events and unsubscribe when they unmount. The browser reconnects by itself.
import { useEffect, useState } from 'preact/hooks';
import type { StatusEvent, TrafficMessage } from './types';

type EventMap = { traffic: TrafficMessage; status: StatusEvent };
type Listener<K extends keyof EventMap> = (data: EventMap[K]) => void;

const listeners: { [K in keyof EventMap]: Set<Listener<K>> } = { traffic: new Set(), status: new Set() };
const stateListeners = new Set<(live: boolean) => void>();
let source: EventSource | null = null;
let live = false;
/** Whether the page wants the stream (logged in): a retry after logout must not reopen it. */
let wanted = false;

function setLive(v: boolean) {
  live = v;
  stateListeners.forEach((f) => f(v));
}

/** Opens the stream (after login). Example: `connectEvents()`. */
export function connectEvents(): void {
  wanted = true;
  if (source) return;
  source = new EventSource('/dashboard/api/events', { withCredentials: true });
  source.onopen = () => setLive(true);
  source.onerror = () => {
    setLive(false);
    // The browser retries network errors itself but gives up on an HTTP error answer: try again later.
    if (source?.readyState === EventSource.CLOSED) {
      source = null;
      window.setTimeout(() => { if (!source && wanted) connectEvents(); }, 5000);
    }
  };
  for (const name of Object.keys(listeners) as (keyof EventMap)[]) {
    source.addEventListener(name, (e) => {
      let data: unknown;
      try { data = JSON.parse((e as MessageEvent<string>).data); } catch { return; }
      (listeners[name] as Set<(d: unknown) => void>).forEach((f) => f(data));
    });
  }
}

/** Closes the stream (on logout). Example: `disconnectEvents()`. */
export function disconnectEvents(): void {
  wanted = false;
  source?.close();
  source = null;
  setLive(false);
}

/** Calls `fn` for each event of `name` while the component is mounted. Example: `useEvent('status', (s) => …)`. */
export function useEvent<K extends keyof EventMap>(name: K, fn: Listener<K>): void {
  useEffect(() => {
    const set = listeners[name] as Set<Listener<K>>;
    set.add(fn);
    return () => { set.delete(fn); };
  }, [name, fn]);
}

/** Whether the event stream is connected, re-rendering on change. Example: `const live = useLive()`. */
export function useLive(): boolean {
  const [v, setV] = useState(live);
  useEffect(() => {
    stateListeners.add(setV);
    return () => { stateListeners.delete(setV); };
  }, []);
  return v;
}
