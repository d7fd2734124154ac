import { useState } from 'preact/hooks';
import { ConsoleSystemNamesDocument } from '../__generated__/graphql';
import { ApiError, request } from '../api';
import { ErrorBox } from '../components';
import { readToken, type Session } from '../session';

/** Paste a bearer token; it is tried once against the gateway before it is kept. */
export function SignIn(props: { onSignedIn: (session: Session) => void; notice?: string | null }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const session = readToken(text);
    if (!session) {
      setError(new ApiError('That is not a JWT (three dot-separated parts).', ['CLIENT'], 0));
      return;
    }
    setBusy(true);
    try {
      await request(session.token, ConsoleSystemNamesDocument, {});
      props.onSignedIn(session);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(String(err), ['CLIENT'], 0));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Southgate console</h1>
      {props.notice && <p role="status">{props.notice}</p>}
      <form onSubmit={(e) => void submit(e)}>
        <label>
          Bearer token
          <textarea rows={4} required value={text} onInput={(e) => setText(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      <ErrorBox error={error} />
      <p class="muted">
        Or open the link the gateway prints at start (<span class="mono">/console/#token=…</span>). The token stays in this tab only.
      </p>
    </main>
  );
}
