import { useContext, useState } from 'preact/hooks';
import {
  ConsoleCancelTestRunDocument,
  ConsoleRefreshDocument,
  ConsoleReviseTestRunDocument,
  ConsoleReviseTestRunRequestDocument,
  ConsoleSubmitTestRunDocument,
  ConsoleTestRunDocument,
  ConsoleTestRunsDocument,
  type ConsoleTestRunQuery,
  type FulfillmentState,
  type RunRowFragment,
} from '../__generated__/graphql';
import { ActionResult, ConfirmButton, ErrorBox, FilterSelect, Section, StateBadge, Time, YesNo } from '../components';
import { FULFILLMENT_STATES } from '../enums';
import { useAction, useQuery, type Action } from '../hooks';
import { Link } from '../router';
import { SessionContext } from '../session-context';
import { Characteristics, ExternalErrors, InboundMessagesTable, OutboundRequestsTable, RevisionForm } from './record-parts';

type Tree = RunRowFragment & { children?: Tree[] };

export function TestRunsView() {
  const [fulfillmentState, setFulfillmentState] = useState<FulfillmentState | ''>('');
  const filter = { rootsOnly: true, ...(fulfillmentState ? { fulfillmentState } : {}) };
  const { data, error } = useQuery(ConsoleTestRunsDocument, { filter, first: 100 });
  const rows: { run: Tree; depth: number }[] = [];
  const walk = (run: Tree, depth: number) => {
    rows.push({ run, depth });
    run.children?.forEach((c) => walk(c, depth + 1));
  };
  data?.testRuns.edges.forEach((e) => walk(e.node, 0));
  return (
    <>
      <h1>Test runs</h1>
      <div class="filters" role="group" aria-label="Filters">
        <FilterSelect label="Fulfillment state" value={fulfillmentState} options={FULFILLMENT_STATES} onChange={setFulfillmentState} />
        {data && <span class="muted">{data.testRuns.totalCount} root runs</span>}
      </div>
      <ErrorBox error={error} />
      {data && rows.length === 0 && <p class="muted">No test runs match.</p>}
      {rows.length > 0 && (
        <table class="records" aria-label="Test runs">
          <thead>
            <tr>
              <th>Number</th>
              <th>Name</th>
              <th>Specification</th>
              <th>Service</th>
              <th>Fulfillment</th>
              <th>External state</th>
              <th>External id</th>
              <th>Updates</th>
              <th>Cancellation</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ run, depth }) => (
              <tr key={run.id} data-number={run.number} class={depth === 0 ? 'root' : undefined}>
                <td style={{ paddingLeft: `${0.5 + depth * 1.25}rem` }}>
                  {depth > 0 && <span aria-hidden="true">└ </span>}
                  <Link to={`/test-runs/${run.id}`}>{run.number}</Link>
                </td>
                <td>{run.name}</td>
                <td>{run.specification.name}</td>
                <td class="mono">{run.relatedServiceId}</td>
                <td class="fulfillment">
                  <StateBadge state={run.fulfillmentState} />
                </td>
                <td>{run.externalState ?? <span class="muted">–</span>}</td>
                <td class="mono">{run.externalId ?? <span class="muted">–</span>}</td>
                <td>
                  <YesNo value={run.updatesAvailable} yes="updates" />
                </td>
                <td>
                  <StateBadge state={run.cancellation?.state} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function TestRunPage(props: { id: string }) {
  const { data, error } = useQuery(ConsoleTestRunDocument, { id: props.id });
  const run = data?.testRun;
  if (!data) return <ErrorBox error={error} />;
  if (!run) return <p role="alert">No test run has the id {props.id}.</p>;
  return (
    <>
      <h1>
        Test run <span class="mono">{run.number}</span>
      </h1>
      <ErrorBox error={error} />
      <RunActions run={run} />
      <div class="grid">
        <Section title="Test run">
          <dl class="facts">
            <dt>Fulfillment state</dt>
            <dd data-testid="fulfillment-state">
              <StateBadge state={run.fulfillmentState} />
            </dd>
            <dt>External state</dt>
            <dd>{run.externalState ?? '–'}</dd>
            <dt>External id</dt>
            <dd class="mono">{run.externalId ?? '–'}</dd>
            <dt>Updates available</dt>
            <dd>
              <YesNo value={run.updatesAvailable} />
            </dd>
            <dt>Name / mode</dt>
            <dd>
              {run.name} / {run.mode}
            </dd>
            <dt>Specification</dt>
            <dd>{run.specification.name}</dd>
            <dt>Service</dt>
            <dd class="mono">{run.relatedServiceId}</dd>
            <dt>Parent</dt>
            <dd>{run.parent ? <Link to={`/test-runs/${run.parent.id}`}>{run.parent.number}</Link> : '–'}</dd>
            <dt>Children</dt>
            <dd>
              {run.children.length === 0
                ? '–'
                : run.children.map((c) => (
                    <span key={c.id} class="child">
                      <Link to={`/test-runs/${c.id}`}>{c.number}</Link> <StateBadge state={c.fulfillmentState} />
                    </span>
                  ))}
            </dd>
            <dt>Characteristics</dt>
            <dd>
              <Characteristics items={run.characteristics} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Time value={run.updatedAt} />
            </dd>
          </dl>
        </Section>
        <div>
          <Section title="Measures" count={run.measures.length}>
            <ul>
              {run.measures.map((m, i) => (
                <li key={i}>
                  <span class="mono">{m.metricName}</span> = {m.value ?? '–'} {m.unitOfMeasure ?? ''}
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Cancellation">
            {run.cancellation ? (
              <p>
                <StateBadge state={run.cancellation.state} /> {run.cancellation.reason ?? ''}
              </p>
            ) : (
              <p class="muted">Not cancelled.</p>
            )}
          </Section>
          <ExternalErrors errors={run.externalErrors} />
        </div>
      </div>
      <Section title="Outbound requests" count={run.outboundRequests.length}>
        <OutboundRequestsTable requests={run.outboundRequests} />
      </Section>
      <Section title="Inbound messages" count={run.inboundMessages.totalCount}>
        <InboundMessagesTable messages={run.inboundMessages.edges.map((e) => e.node)} />
      </Section>
    </>
  );
}

function RunActions(props: { run: NonNullable<ConsoleTestRunQuery['testRun']> }) {
  const { can } = useContext(SessionContext);
  const { run } = props;
  const submit = useAction(ConsoleSubmitTestRunDocument, `Test run ${run.number} submitted`);
  const revise = useAction(ConsoleReviseTestRunRequestDocument, `Revision of ${run.number} queued`);
  const cancel = useAction(ConsoleCancelTestRunDocument, `Cancellation of ${run.number} requested`);
  const refresh = useAction(ConsoleRefreshDocument, `${run.number} read again from its system`);
  const reviseRun = useAction(ConsoleReviseTestRunDocument, `${run.number} revised; share it with "Revise outbound request"`);
  if (!can.tests) return null;
  const last = [submit, revise, cancel, refresh, ...(reviseRun.done ? [reviseRun] : [])].filter(
    (a) => a.error || a.done,
  ) as Action<never>[];
  return (
    <div class="actions" role="group" aria-label="Actions">
      {run.canRequestFulfillment && (
        <ConfirmButton
          label="Submit"
          question={`Submit test run ${run.number} to its test system?`}
          onConfirm={() => submit.run({ id: run.id })}
        />
      )}
      {run.updatesAvailable && (
        <ConfirmButton
          label="Revise outbound request"
          question={`Want to revise the outbound request of ${run.number}?`}
          onConfirm={() => revise.run({ id: run.id })}
        />
      )}
      {run.fulfillmentState !== 'CANCELED' && run.fulfillmentState !== 'FULFILLED' && (
        <ConfirmButton
          label="Cancel test run"
          danger
          question={`Cancel ${run.number}?`}
          note={{ label: 'Reason', required: false }}
          onConfirm={(reason) => cancel.run({ id: run.id, reason: reason || null })}
        />
      )}
      {run.externalId && (
        <button type="button" disabled={refresh.busy} onClick={() => void refresh.run({ subject: 'TEST_RUN', id: run.id })}>
          Refresh from system
        </button>
      )}
      <RevisionForm record={run} save={(input) => reviseRun.run({ id: run.id, input })} action={reviseRun} />
      {last.map((a, i) => (
        <ActionResult key={i} action={a} />
      ))}
    </div>
  );
}
