// Path routing under /dashboard/ with the History API (the hub serves index.html for unknown paths,
// so a reload or a shared link opens the same screen).
import { useEffect, useState } from 'preact/hooks';

export const ROUTES = [
  { path: 'map', label: 'Map' },
  { path: 'partners', label: 'Partners' },
  { path: 'traffic', label: 'Traffic' },
  { path: 'search', label: 'Sessions & CDRs' },
  { path: 'outbox', label: 'Outbox' },
  { path: 'stats', label: 'Stats' },
] as const;
export type Route = (typeof ROUTES)[number]['path'];

function current(): Route {
  const seg = location.pathname.replace(/^\/dashboard\/?/, '').split('/')[0];
  return (ROUTES.find((r) => r.path === seg)?.path ?? 'map') as Route;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((f) => f()));

/** Goes to a screen, keeping an optional query. Example: `navigate('search', '?q=DE*CPO*E1')`. */
export function navigate(route: Route, query = ''): void {
  history.pushState(null, '', `/dashboard/${route}${query}`);
  listeners.forEach((f) => f());
}

/** The current screen, re-rendering on navigation. Example: `const route = useRoute()`. */
export function useRoute(): Route {
  const [r, setR] = useState(current());
  useEffect(() => {
    const f = () => setR(current());
    listeners.add(f);
    return () => { listeners.delete(f); };
  }, []);
  return r;
}
