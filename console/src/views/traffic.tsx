import { useState } from 'preact/hooks';
import {
  ConsoleInboundMessagesDocument,
  ConsoleOutboundRequestDocument,
  ConsoleOutboundRequestsDocument,
  ConsoleSystemNamesDocument,
  type InboundChannel,
  type InboundOutcome,
  type OutboundOperation,
  type OutboundRequestState,
} from '../__generated__/graphql';
import { ErrorBox, FilterSelect, JsonBlock, RecordLinks, Section, StateBadge, Time } from '../components';
import { CHANNELS, OPERATIONS, OUTBOUND_STATES, OUTCOMES } from '../enums';
import { useQuery } from '../hooks';
import { OutboundRequestsTable } from './record-parts';

function SystemSelect(props: { value: string; onChange: (id: string) => void }) {
  const { data } = useQuery(ConsoleSystemNamesDocument, {});
  return (
    <label class="filter">
      External system
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">any</option>
        {data?.externalSystems.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function OutboundView() {
  const [state, setState] = useState<OutboundRequestState | ''>('');
  const [operation, setOperation] = useState<OutboundOperation | ''>('');
  const [system, setSystem] = useState('');
  const filter = { ...(state ? { state } : {}), ...(operation ? { operation } : {}), ...(system ? { externalSystemId: system } : {}) };
  const { data, error } = useQuery(ConsoleOutboundRequestsDocument, { filter, first: 200 });
  const rows = data?.outboundRequests.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Outbound requests</h1>
      <div class="filters" role="group" aria-label="Filters">
        <FilterSelect label="State" value={state} options={OUTBOUND_STATES} onChange={setState} />
        <FilterSelect label="Operation" value={operation} options={OPERATIONS} onChange={setOperation} />
        <SystemSelect value={system} onChange={setSystem} />
        {data && <span class="muted">{data.outboundRequests.totalCount} requests</span>}
      </div>
      <ErrorBox error={error} />
      {data && rows.length === 0 && <p class="muted">No outbound requests match.</p>}
      {rows.length > 0 && <OutboundRequestsTable requests={rows} withRecords />}
    </>
  );
}

export function OutboundRequestPage(props: { id: string }) {
  const { data, error } = useQuery(ConsoleOutboundRequestDocument, { id: props.id });
  const r = data?.outboundRequest;
  if (!data) return <ErrorBox error={error} />;
  if (!r) return <p role="alert">No outbound request has the id {props.id}.</p>;
  return (
    <>
      <h1>
        Outbound request <span class="mono">{r.number}</span>
      </h1>
      <Section title="Request">
        <dl class="facts">
          <dt>State</dt>
          <dd>
            <StateBadge state={r.state} />
          </dd>
          <dt>Operation</dt>
          <dd>
            {r.operation} <span class="mono">{`${r.httpMethod} ${r.path}`}</span>
          </dd>
          <dt>System</dt>
          <dd>{r.externalSystem.name}</dd>
          <dt>Submission</dt>
          <dd class="mono">{r.requestId}</dd>
          <dt>Attempts</dt>
          <dd>{r.attempts}</dd>
          <dt>Next attempt</dt>
          <dd>
            <Time value={r.nextAttemptAt} />
          </dd>
          <dt>Answer</dt>
          <dd>{r.responseStatus ?? '–'}</dd>
          <dt>External id</dt>
          <dd class="mono">{r.externalId ?? '–'}</dd>
          <dt>Error</dt>
          <dd>
            {r.error
              ? [r.error.category, r.error.code, r.error.httpStatus, r.error.message, r.error.reason].filter(Boolean).join(' · ')
              : '–'}
          </dd>
        </dl>
      </Section>
      <div class="grid">
        <JsonBlock label="Payload" value={r.payload} />
        <JsonBlock label="Response" value={r.responseBody} />
      </div>
    </>
  );
}

export function InboundView() {
  const [outcome, setOutcome] = useState<InboundOutcome | ''>('');
  const [channel, setChannel] = useState<InboundChannel | ''>('');
  const [system, setSystem] = useState('');
  const selected = new URLSearchParams(window.location.search).get('id');
  const filter = { ...(outcome ? { outcome } : {}), ...(channel ? { channel } : {}), ...(system ? { externalSystemId: system } : {}) };
  const { data, error } = useQuery(ConsoleInboundMessagesDocument, { filter, first: 200 });
  const rows = data?.inboundMessages.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Inbound messages</h1>
      <div class="filters" role="group" aria-label="Filters">
        <FilterSelect label="Outcome" value={outcome} options={OUTCOMES} onChange={setOutcome} />
        <FilterSelect label="Channel" value={channel} options={CHANNELS} onChange={setChannel} />
        <SystemSelect value={system} onChange={setSystem} />
        {data && <span class="muted">{data.inboundMessages.totalCount} messages</span>}
      </div>
      <ErrorBox error={error} />
      {data && rows.length === 0 && <p class="muted">No inbound messages match.</p>}
      {rows.map((m) => (
        <details key={m.id} class="message-row" open={m.id === selected}>
          <summary>
            <Time value={m.receivedAt} /> <StateBadge state={m.outcome} /> {m.channel} {m.eventType ?? ''} · {m.externalSystem.name} ·{' '}
            {[...m.domainOrders, ...m.testRuns].map((r) => r.number).join(', ') || 'no record'}
            {m.responseStatus !== null && m.responseStatus !== undefined && <span class="muted"> · answered {m.responseStatus}</span>}
          </summary>
          {m.reason && <p>{m.reason}</p>}
          <p>
            <RecordLinks orders={m.domainOrders} runs={m.testRuns} />
          </p>
          <JsonBlock label="Body" value={m.body} />
        </details>
      ))}
    </>
  );
}
