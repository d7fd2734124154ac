import { useContext, useMemo, useState } from 'preact/hooks';
import { LiveBadge, LiveProvider } from './live';
import { Link, usePath } from './router';
import { clearSession, permissions, restoreSession, saveSession, type Session } from './session';
import { SessionContext, type SignedIn } from './session-context';
import { AdminView } from './views/admin';
import { FalloutsView } from './views/fallouts';
import { OrderPage } from './views/order-page';
import { OrdersView } from './views/orders';
import { SignIn } from './views/sign-in';
import { TestRunPage, TestRunsView } from './views/test-runs';
import { InboundView, OutboundRequestPage, OutboundView } from './views/traffic';

export function App() {
  const [session, setSession] = useState<Session | null>(() => restoreSession());
  const [notice, setNotice] = useState<string | null>(null);
  const signedIn = useMemo<SignedIn | null>(
    () =>
      session && {
        session,
        can: permissions(session),
        signOut: () => {
          clearSession();
          setNotice('Signed out.');
          setSession(null);
        },
      },
    [session],
  );
  if (!signedIn || (session?.expiresAt !== null && session!.expiresAt < Date.now())) {
    return (
      <SignIn
        notice={notice ?? (session ? 'The token has expired; sign in again.' : null)}
        onSignedIn={(s) => {
          saveSession(s);
          setNotice(null);
          setSession(s);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={signedIn}>
      <LiveProvider session={signedIn.session}>
        <Shell />
      </LiveProvider>
    </SessionContext.Provider>
  );
}

const NAV: { to: string; label: string; admin?: boolean }[] = [
  { to: '/orders', label: 'Orders' },
  { to: '/test-runs', label: 'Test runs' },
  { to: '/fallouts', label: 'Fallouts' },
  { to: '/outbound', label: 'Outbound requests' },
  { to: '/inbound', label: 'Inbound messages' },
  { to: '/admin', label: 'Administration', admin: true },
];

function Shell() {
  const path = usePath();
  const { session, can, signOut } = useSignedIn();
  const section = path === '/' ? '/orders' : '/' + (path.split('/')[1] ?? '');
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">Southgate</strong>
        <nav aria-label="Main">
          {NAV.filter((n) => !n.admin || can.admin).map((n) => (
            <Link key={n.to} to={n.to} aria-current={section === n.to ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <LiveBadge />
        <span class="who" title={`Roles: ${session.roles.join(', ')}`}>
          {session.subject} · {session.roles.join(', ') || 'no roles'}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Route path={path} admin={can.admin} />
      </main>
    </>
  );
}

function Route(props: { path: string; admin: boolean }) {
  const [, section, id] = props.path.split('/');
  if (section === '' || section === undefined || section === 'orders') return id ? <OrderPage id={id} /> : <OrdersView />;
  if (section === 'test-runs') return id ? <TestRunPage id={id} /> : <TestRunsView />;
  if (section === 'fallouts') return <FalloutsView />;
  if (section === 'outbound') return id ? <OutboundRequestPage id={id} /> : <OutboundView />;
  if (section === 'inbound') return <InboundView />;
  if (section === 'admin') return props.admin ? <AdminView /> : <p role="alert">Administration needs the ADMIN role.</p>;
  return <p role="alert">Nothing here: {props.path}</p>;
}

function useSignedIn(): SignedIn {
  return useContext(SessionContext);
}
