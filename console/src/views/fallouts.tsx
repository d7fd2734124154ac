import { useContext, useState } from 'preact/hooks';
import {
  ConsoleDiscardDocument,
  ConsoleFalloutsDocument,
  ConsoleResolveFalloutDocument,
  ConsoleRetryDocument,
  type ConsoleFalloutsQuery,
  type FalloutStatus,
} from '../__generated__/graphql';
import { ActionResult, ConfirmButton, ErrorBox, FilterSelect, RecordLinks, StateBadge, Time } from '../components';
import { FALLOUT_STATUSES } from '../enums';
import { useAction, useQuery, type Action } from '../hooks';
import { Link } from '../router';
import { SessionContext } from '../session-context';

type Fallout = ConsoleFalloutsQuery['fallouts']['edges'][number]['node'];

/** The fallout queue: what needs a person, with the buttons to deal with it. */
export function FalloutsView() {
  const [status, setStatus] = useState<FalloutStatus | ''>('OPEN');
  const { data, error } = useQuery(ConsoleFalloutsDocument, { status: status || null, first: 200 });
  const fallouts = data?.fallouts.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Fallouts</h1>
      <div class="filters" role="group" aria-label="Filters">
        <FilterSelect label="Status" value={status} options={FALLOUT_STATUSES} onChange={setStatus} />
        {data && <span class="muted">{data.fallouts.totalCount} fallouts</span>}
      </div>
      <ErrorBox error={error} />
      {data && fallouts.length === 0 && <p class="muted">The queue is empty.</p>}
      {fallouts.length > 0 && (
        <table aria-label="Fallouts">
          <thead>
            <tr>
              <th>Opened</th>
              <th>Category</th>
              <th>Source</th>
              <th>Message</th>
              <th>Records</th>
              <th>Request</th>
              <th>Status</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {fallouts.map((f) => (
              <FalloutRow key={f.id} fallout={f} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function FalloutRow(props: { fallout: Fallout }) {
  const f = props.fallout;
  const request = f.outboundRequest;
  return (
    <tr data-fallout={f.id}>
      <td>
        <Time value={f.createdAt} />
      </td>
      <td>{f.category}</td>
      <td>{f.source}</td>
      <td class="message">
        {f.message}
        {f.resolution && <div class="muted">Resolution: {f.resolution}</div>}
      </td>
      <td>
        <RecordLinks orders={f.domainOrders} runs={f.testRuns} />
      </td>
      <td>
        <Link to={`/outbound/${request.id}`}>{request.number}</Link> {request.operation} <StateBadge state={request.state} />
        <div class="muted">{request.externalSystem.name}</div>
      </td>
      <td>
        <StateBadge state={f.status} />
      </td>
      <td>
        <FalloutActions fallout={f} />
      </td>
    </tr>
  );
}

function FalloutActions(props: { fallout: Fallout }) {
  const { can } = useContext(SessionContext);
  const f = props.fallout;
  const request = f.outboundRequest;
  // Retrying answers the fallout: the console closes it once the request is queued again (a new failure
  // opens a new one), as the gateway's retry leaves fallouts to people.
  const retry = useAction(ConsoleRetryDocument, `${request.number} queued again`);
  const discard = useAction(ConsoleDiscardDocument, `${request.number} discarded`);
  const resolve = useAction(ConsoleResolveFalloutDocument, 'Fallout resolved');
  // The gateway checks the fallout's records against the caller's roles; the console hides what it would refuse.
  const allowed = (f.domainOrders.length === 0 || can.orders) && (f.testRuns.length === 0 || can.tests);
  if (!allowed || f.status !== 'OPEN') return null;
  const records = [...f.domainOrders, ...f.testRuns].map((r) => r.number).join(', ') || request.number;
  const failed = request.state === 'ERROR';
  const last = [retry, discard, resolve].filter((a) => a.error || a.done) as Action<never>[];
  return (
    <div class="row-actions">
      {failed && (
        <ConfirmButton
          label="Retry"
          question={`Want to retry outbound fulfillment request ${request.number} for ${records}? The request is queued again and this fallout closed.`}
          note={{ label: 'Note (optional)', required: false }}
          onConfirm={async (note) =>
            (await retry.run({ id: request.id })) &&
            resolve.run({ id: f.id, resolution: note || `Retried: ${request.number} queued again` })
          }
        />
      )}
      {failed && (
        <ConfirmButton
          label="Discard"
          danger
          question={`Discard outbound request ${request.number}? It is never sent again.`}
          note={{ label: 'Reason', required: true }}
          onConfirm={(reason) => discard.run({ id: request.id, reason })}
        />
      )}
      <ConfirmButton
        label="Resolve"
        question={`Resolve this ${f.category} fallout for ${records}?`}
        note={{ label: 'Resolution note', required: true }}
        onConfirm={(resolution) => resolve.run({ id: f.id, resolution })}
      />
      {last.map((a, i) => (
        <ActionResult key={i} action={a} />
      ))}
    </div>
  );
}
