// The portal's entry: loads the session, then renders the route for the current URL.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, maybeSignedIn } from './api/client';
import type { Me } from './api/types';
import { ErrorBox } from './components/common';
import { ForbiddenPage, NotFoundPage } from './pages/Misc';
import { matchPath, navigate, onLinkClick, useLocation } from './router';
import { routes, type Access } from './routes';
import { SessionContext, useSession } from './session';
import './styles.css';

/** Whether `me` may open pages of `access`. */
function allowed(access: Access, me: Me | null): boolean {
  if (access === 'admin') return me?.role === 'admin';
  if (access === 'region-admin') return me?.role === 'admin' || (me?.region_admin_of?.length ?? 0) > 0;
  return true;
}

function Header({ me, path }: { me: Me; path: string }) {
  const [busy, setBusy] = useState(false);
  const { setMe } = useSession();
  return (
    <header class="top">
      <a href="/devices" class="brand" aria-label="Hearth home">
        <img src="/favicon.svg" alt="" width="24" height="24" /> Hearth
      </a>
      <nav aria-label="Main">
        {routes
          .filter((r) => r.nav && allowed(r.access, me))
          .map((r) => (
            <a key={r.path} href={r.path} aria-current={path.startsWith(r.path) ? 'page' : undefined}>
              {r.nav}
            </a>
          ))}
      </nav>
      <div class="account">
        <span class="email" title={me.email}>
          {me.email}
          {me.role === 'admin' && <span class="badge badge-admin">admin</span>}
        </span>
        <button
          type="button"
          class="secondary small"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await api.signOut();
            } finally {
              setMe(null);
              navigate('/signin', true);
            }
          }}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}

/** Replaces the URL after render (navigating during render would re-enter it). */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

function App() {
  const { path } = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [version, setVersion] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!maybeSignedIn()) {
      setMe(null);
    } else api.me().then(setMe, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) setMe(null);
      else setError(e);
    });
    api.health().then((h) => setVersion(h.version), () => undefined);
  }, []);

  if (me === undefined) {
    return error ? <main class="main"><ErrorBox error={error} /></main> : <main class="main" aria-busy="true" />;
  }

  let page = null;
  let access: Access = 'public';
  for (const r of routes) {
    const params = matchPath(r.path, path);
    if (params) {
      page = r.render(params);
      access = r.access;
      break;
    }
  }
  if (path === '/' || path === '') return <Redirect to={me ? '/devices' : '/signin'} />;
  if (page && access !== 'public' && !me) {
    return <Redirect to={'/signin?next=' + encodeURIComponent(path + location.search)} />;
  }
  if (page && access === 'public' && me) return <Redirect to="/devices" />;
  if (page && !allowed(access, me ?? null)) page = <ForbiddenPage />;
  if (!page) page = <NotFoundPage />;

  return (
    <SessionContext.Provider value={{ me, version, setMe }}>
      <a href="#main" class="skip">
        Skip to content
      </a>
      {me && <Header me={me} path={path} />}
      <main id="main" class="main">
        {page}
      </main>
    </SessionContext.Provider>
  );
}

document.addEventListener('click', onLinkClick);
const root = document.getElementById('app');
if (root) render(<App />, root);
