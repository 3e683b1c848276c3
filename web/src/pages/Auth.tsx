// Sign in and sign up: labelled fields, the API's message on failure, then the devices page.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import { ErrorBox, PageTitle } from '../components/common';
import { navigate } from '../router';
import { useSession } from '../session';

export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  const { setMe } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const signup = mode === 'signup';
  const title = signup ? 'Create your account' : 'Sign in';

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (signup) await api.signUp(email, password);
      const s = await api.signIn(email, password);
      setMe({ ...s.account, csrf_token: s.csrf_token });
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/devices', true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const fieldError = (name: string) =>
    error instanceof ApiError && error.field === name ? error.message : null;

  return (
    <div class="auth">
      <div class="card auth-card">
        <p class="brand auth-brand">
          <img src="/favicon.svg" alt="" width="28" height="28" /> Hearth
        </p>
        <PageTitle title={title}>{title}</PageTitle>
        <p class="muted">
          {signup
            ? 'Turn your home computer into an Akash provider node and watch it earn.'
            : 'Welcome back. Sign in to see your devices.'}
        </p>
        <form onSubmit={submit} noValidate>
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="email"
            required
            value={email}
            aria-invalid={fieldError('email') ? 'true' : undefined}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete={signup ? 'new-password' : 'current-password'}
            required
            minLength={signup ? 10 : undefined}
            aria-describedby={signup ? 'password-help' : undefined}
            aria-invalid={fieldError('password') ? 'true' : undefined}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          {signup && (
            <p id="password-help" class="help">
              At least 10 characters.
            </p>
          )}
          <ErrorBox error={error} />
          <button type="submit" disabled={busy}>
            {busy ? 'Please wait…' : signup ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p class="switch">
          {signup ? (
            <>
              Already have an account? <a href="/signin">Sign in</a>
            </>
          ) : (
            <>
              New to Hearth? <a href="/signup">Create an account</a>
            </>
          )}
        </p>
      </div>
    </div>
  );
}
