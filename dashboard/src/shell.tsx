// The frame around every screen: navigation, live indicator, operator name and logout.
import { post } from './api';
import { useLive } from './events';
import { navigate, ROUTES, useRoute, type Route } from './router';
import { MapPage } from './map/map-page';
import { PartnersPage } from './pages/partners';
import { TrafficPage } from './pages/traffic';
import { SearchPage } from './pages/search';
import { OutboxPage } from './pages/outbox';
import { StatsPage } from './pages/stats';

const PAGES: Record<Route, () => preact.JSX.Element> = {
  map: MapPage, partners: PartnersPage, traffic: TrafficPage, search: SearchPage, outbox: OutboxPage, stats: StatsPage,
};

export function Shell({ user, onLogout }: { user: string; onLogout: () => void }) {
  const route = useRoute();
  const live = useLive();
  const Page = PAGES[route];
  const logout = async () => {
    await post('/logout').catch(() => undefined);
    onLogout();
  };
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">oioi hub</span>
        <nav>
          {ROUTES.map((r) => (
            <a href={`/dashboard/${r.path}`} class={r.path === route ? 'active' : ''} data-route={r.path}
              onClick={(e) => { e.preventDefault(); navigate(r.path); }}>{r.label}</a>
          ))}
        </nav>
        <span class={`live ${live ? 'on' : 'off'}`} title={live ? 'live updates connected' : 'live updates disconnected'}>
          {live ? 'live' : 'offline'}
        </span>
        <span class="user">{user}</span>
        <button class="link" onClick={logout}>Log out</button>
      </header>
      <main class={`page page-${route}`}><Page /></main>
    </div>
  );
}
