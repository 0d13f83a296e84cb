// Operator login: name and password, exchanged for an HttpOnly session cookie.
import { useState } from 'preact/hooks';
import { post } from '../api';

export function Login({ onLogin }: { onLogin: (name: string) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = await post<{ name: string }>('/login', { name, password });
      onLogin(me.name);
    } catch (err) {
      setError((err as Error).message || 'login failed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login-wrap">
      <form class="login card" onSubmit={submit}>
        <h1>oioi hub</h1>
        <p class="muted">Operator dashboard</p>
        <label>Name<input name="name" autocomplete="username" value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
        <label>Password<input name="password" type="password" autocomplete="current-password" value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} required /></label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </div>
  );
}
