import { useState } from 'preact/hooks';
import {
  ConsoleCreateExternalSystemDocument,
  ConsoleUpdateExternalSystemDocument,
  type ExternalSystemInput,
  type OutboundAuthType,
  type TmfApi,
} from '../__generated__/graphql';
import { ActionResult, Section } from '../components';
import { useAction } from '../hooks';
import type { AdminData } from './admin';

type System = AdminData['externalSystems'][number];

const AUTH_FIELDS: Record<
  OutboundAuthType,
  { key: 'username' | 'password' | 'token' | 'tokenUrl' | 'clientId' | 'clientSecret' | 'scope'; secret: boolean }[]
> = {
  NONE: [],
  BASIC: [
    { key: 'username', secret: false },
    { key: 'password', secret: true },
  ],
  BEARER: [{ key: 'token', secret: true }],
  OAUTH2_CLIENT_CREDENTIALS: [
    { key: 'tokenUrl', secret: false },
    { key: 'clientId', secret: false },
    { key: 'clientSecret', secret: true },
    { key: 'scope', secret: false },
  ],
};

export function ExternalSystems(props: { data: AdminData; refetch: () => void }) {
  const [editing, setEditing] = useState<System | 'new' | null>(null);
  return (
    <Section title="External systems" count={props.data.externalSystems.length}>
      <table aria-label="External systems">
        <thead>
          <tr>
            <th>Name</th>
            <th>API</th>
            <th>Base URL</th>
            <th>Auth</th>
            <th>Inbound token</th>
            <th>Callback path</th>
            <th>Enabled</th>
            <th>Attempts / timeout</th>
            <th>Polling</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.data.externalSystems.map((s) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td class="mono">{s.api}</td>
              <td class="mono">{s.baseUrl}</td>
              <td>{s.authType}</td>
              <td>{s.hasInboundToken ? 'set' : 'none'}</td>
              <td class="mono">{s.callbackPath}</td>
              <td>{s.enabled ? 'yes' : 'no'}</td>
              <td>
                {s.maxAttempts} / {s.timeoutMs} ms
              </td>
              <td>{s.pollIntervalSeconds ? `${s.pollIntervalSeconds} s` : '–'}</td>
              <td>
                <button type="button" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing ? (
        <SystemForm
          key={editing === 'new' ? 'new' : editing.id}
          system={editing === 'new' ? null : editing}
          close={() => setEditing(null)}
          refetch={props.refetch}
        />
      ) : (
        <button type="button" onClick={() => setEditing('new')}>
          Add external system
        </button>
      )}
    </Section>
  );
}

/**
 * Create or edit a system. Secrets are write-only: the form never shows one, and on an edit an empty
 * secret field keeps what is stored (the auth block is sent only when its type or a field changed).
 */
function SystemForm(props: { system: System | null; close: () => void; refetch: () => void }) {
  const s = props.system;
  const [name, setName] = useState(s?.name ?? '');
  const [api, setApi] = useState<TmfApi>(s?.api ?? 'SERVICE_ORDERING_TMF641');
  const [baseUrl, setBaseUrl] = useState(s?.baseUrl ?? '');
  const [enabled, setEnabled] = useState(s?.enabled ?? true);
  const [maxAttempts, setMaxAttempts] = useState(String(s?.maxAttempts ?? 5));
  const [timeoutMs, setTimeoutMs] = useState(String(s?.timeoutMs ?? 10000));
  const [poll, setPoll] = useState(s?.pollIntervalSeconds ? String(s.pollIntervalSeconds) : '');
  const [authType, setAuthType] = useState<OutboundAuthType>(s?.authType ?? 'NONE');
  const [auth, setAuth] = useState<Record<string, string>>({});
  const [inboundToken, setInboundToken] = useState('');
  const done = () => {
    props.refetch();
    props.close();
  };
  const create = useAction(ConsoleCreateExternalSystemDocument, 'External system created', done);
  const update = useAction(ConsoleUpdateExternalSystemDocument, 'External system saved', done);
  const submit = (e: Event) => {
    e.preventDefault();
    const authChanged = !s || authType !== s.authType || Object.values(auth).some((v) => v !== '');
    const input: ExternalSystemInput = {
      name,
      api,
      baseUrl,
      enabled,
      maxAttempts: Number(maxAttempts),
      timeoutMs: Number(timeoutMs),
      pollIntervalSeconds: poll === '' ? null : Number(poll),
      ...(authChanged
        ? { auth: { type: authType, ...Object.fromEntries(AUTH_FIELDS[authType].map((f) => [f.key, auth[f.key] || null])) } }
        : {}),
      ...(inboundToken ? { inboundToken } : {}),
    };
    void (s ? update.run({ id: s.id, input }) : create.run({ input }));
  };
  return (
    <form class="editor" onSubmit={submit} aria-label={s ? `Edit ${s.name}` : 'New external system'}>
      <h3>{s ? `Edit ${s.name}` : 'New external system'}</h3>
      <label>
        Name <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        API
        <select value={api} onChange={(e) => setApi(e.currentTarget.value as TmfApi)}>
          <option value="SERVICE_ORDERING_TMF641">SERVICE_ORDERING_TMF641</option>
          <option value="SERVICE_TEST_TMF653">SERVICE_TEST_TMF653</option>
        </select>
      </label>
      <label>
        Base URL <input required type="url" value={baseUrl} onInput={(e) => setBaseUrl(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Enabled
      </label>
      <label>
        Max attempts <input type="number" min={1} value={maxAttempts} onInput={(e) => setMaxAttempts(e.currentTarget.value)} />
      </label>
      <label>
        Timeout (ms) <input type="number" min={1} value={timeoutMs} onInput={(e) => setTimeoutMs(e.currentTarget.value)} />
      </label>
      <label>
        Poll interval (s, empty: no polling) <input type="number" min={1} value={poll} onInput={(e) => setPoll(e.currentTarget.value)} />
      </label>
      <label>
        Outbound auth
        <select value={authType} onChange={(e) => setAuthType(e.currentTarget.value as OutboundAuthType)}>
          {Object.keys(AUTH_FIELDS).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {AUTH_FIELDS[authType].map((f) => (
        <label key={f.key}>
          {f.key}
          {f.secret && s ? ' (write-only; empty keeps the stored one)' : ''}
          <input
            type={f.secret ? 'password' : 'text'}
            autoComplete="off"
            value={auth[f.key] ?? ''}
            onInput={(e) => setAuth({ ...auth, [f.key]: e.currentTarget.value })}
          />
        </label>
      ))}
      <label>
        Inbound token (write-only{s?.hasInboundToken ? '; one is set, empty keeps it' : ''})
        <input type="password" autoComplete="off" value={inboundToken} onInput={(e) => setInboundToken(e.currentTarget.value)} />
      </label>
      <div class="buttons">
        <button type="submit" class="primary" disabled={create.busy || update.busy}>
          {s ? 'Save' : 'Create'}
        </button>
        <button type="button" onClick={props.close}>
          Close
        </button>
      </div>
      <ActionResult action={s ? update : create} />
    </form>
  );
}
