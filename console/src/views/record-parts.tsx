import { useState } from 'preact/hooks';
import type { CharacteristicInput, InboundRowFragment, OutboundRowFragment } from '../__generated__/graphql';
import { ActionResult, RecordLinks, Section, StateBadge, Time } from '../components';
import type { Action } from '../hooks';
import { Link } from '../router';

type RequestRow = OutboundRowFragment & { domainOrders?: { id: string; number: string }[]; testRuns?: { id: string; number: string }[] };

/**
 * Outbound requests, each linking to its payload and response; with `withRecords`, the records each
 * covers (the record page leaves that column out: it is the record itself).
 */
export function OutboundRequestsTable(props: { requests: RequestRow[]; label?: string; withRecords?: boolean }) {
  if (props.requests.length === 0) return <p class="muted">No outbound requests.</p>;
  return (
    <table aria-label={props.label ?? 'Outbound requests'}>
      <thead>
        <tr>
          <th>Number</th>
          <th>Operation</th>
          <th>Request</th>
          <th>System</th>
          {props.withRecords && <th>Records</th>}
          <th>State</th>
          <th>Attempts</th>
          <th>HTTP</th>
          <th>External id</th>
          <th>Error</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        {props.requests.map((r) => (
          <tr key={r.id} data-number={r.number}>
            <td>
              <Link to={`/outbound/${r.id}`}>{r.number}</Link>
            </td>
            <td>{r.operation}</td>
            <td class="mono">
              {r.httpMethod} {r.path}
            </td>
            <td>{r.externalSystem.name}</td>
            {props.withRecords && (
              <td>
                <RecordLinks orders={r.domainOrders} runs={r.testRuns} />
              </td>
            )}
            <td>
              <StateBadge state={r.state} />
            </td>
            <td>{r.attempts}</td>
            <td>{r.responseStatus ?? <span class="muted">–</span>}</td>
            <td class="mono">{r.externalId ?? <span class="muted">–</span>}</td>
            <td>{r.error ? `${r.error.category}: ${r.error.message}` : <span class="muted">–</span>}</td>
            <td>
              <Time value={r.updatedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function InboundMessagesTable(props: { messages: InboundRowFragment[]; label?: string }) {
  if (props.messages.length === 0) return <p class="muted">No inbound messages.</p>;
  return (
    <table aria-label={props.label ?? 'Inbound messages'}>
      <thead>
        <tr>
          <th>Received</th>
          <th>Channel</th>
          <th>Event</th>
          <th>System</th>
          <th>Outcome</th>
          <th>Answer</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.messages.map((m) => (
          <tr key={m.id}>
            <td>
              <Link to={`/inbound?id=${m.id}`}>
                <Time value={m.receivedAt} />
              </Link>
            </td>
            <td>{m.channel}</td>
            <td>{m.eventType ?? <span class="muted">–</span>}</td>
            <td>{m.externalSystem.name}</td>
            <td>
              <StateBadge state={m.outcome} />
            </td>
            <td>{m.responseStatus ?? <span class="muted">–</span>}</td>
            <td>{m.reason ?? <span class="muted">–</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExternalErrors(props: {
  errors: { code?: string | null; reason?: string | null; message?: string | null; status?: string | null; receivedAt: string }[];
}) {
  return (
    <Section title="Errors reported" count={props.errors.length}>
      {props.errors.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <ul>
          {props.errors.map((e, i) => (
            <li key={i}>
              <Time value={e.receivedAt} /> {[e.code, e.status, e.reason, e.message].filter(Boolean).join(' · ')}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export function Characteristics(props: { items: { name: string; value: string }[] }) {
  if (props.items.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="characteristics">
      {props.items.map((c) => (
        <li key={c.name}>
          <span class="mono">{c.name}</span> = <span class="mono">{c.value}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * Revises a record's characteristics (one `name=value` a line), with the version it was read at as the
 * optimistic lock; the change is then shared with "Revise outbound request".
 */
export function RevisionForm(props: {
  record: { number: string; version: number; characteristics: { name: string; value: string }[] };
  save: (input: { characteristics: CharacteristicInput[]; expectedVersion: number }) => Promise<boolean>;
  action: Action<never>;
}) {
  const { record } = props;
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  if (!open)
    return (
      <button
        type="button"
        onClick={() => {
          setText(record.characteristics.map((c) => `${c.name}=${c.value}`).join('\n'));
          setOpen(true);
        }}
      >
        Revise {record.number}…
      </button>
    );
  const submit = async (e: Event) => {
    e.preventDefault();
    const characteristics = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const eq = l.indexOf('=');
        return eq < 0 ? { name: l, value: '' } : { name: l.slice(0, eq).trim(), value: l.slice(eq + 1).trim() };
      });
    if (await props.save({ characteristics, expectedVersion: record.version })) setOpen(false);
  };
  return (
    <form class="revise" onSubmit={(e) => void submit(e)} aria-label={`Revise ${record.number}`}>
      <label>
        Characteristics (one name=value a line)
        <textarea rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <div class="buttons">
        <button type="submit" class="primary" disabled={props.action.busy}>
          Save revision
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
      <ActionResult action={props.action} />
    </form>
  );
}
