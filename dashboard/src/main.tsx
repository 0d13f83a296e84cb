// Entry point: checks the session (`/me`), then shows the login form or the dashboard.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, whenLoggedOut } from './api';
import { connectEvents, disconnectEvents } from './events';
import { Login } from './pages/login';
import { Shell } from './shell';
import 'leaflet/dist/leaflet.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

function App() {
  const [user, setUser] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    whenLoggedOut(() => { disconnectEvents(); setUser(null); });
    get<{ name: string }>('/me').then((me) => setUser(me.name), () => setUser(null));
  }, []);
  useEffect(() => { if (user) connectEvents(); }, [user]);
  if (user === undefined) return <div class="loading">Loading…</div>;
  if (user === null) return <Login onLogin={setUser} />;
  return <Shell user={user} onLogout={() => { disconnectEvents(); setUser(null); }} />;
}

render(<App />, document.getElementById('app')!);
