import { useContext } from 'preact/hooks';
import {
  ConsoleCancelOrderDocument,
  ConsoleMarkPointOfNoReturnDocument,
  ConsoleOrderDocument,
  ConsoleRefreshDocument,
  ConsoleReviseOrderDocument,
  ConsoleReviseOrderRequestDocument,
  ConsoleSubmitOrderDocument,
  type RecordDetailsFragment,
} from '../__generated__/graphql';
import { ActionResult, ConfirmButton, ErrorBox, Section, StateBadge, Time, YesNo } from '../components';
import { useAction, type Action } from '../hooks';
import { useQuery } from '../hooks';
import { Link } from '../router';
import { SessionContext } from '../session-context';
import { Characteristics, ExternalErrors, InboundMessagesTable, OutboundRequestsTable, RevisionForm } from './record-parts';

/** One domain order on one page: its states, what the system reported, its requests and messages, and the actions. */
export function OrderPage(props: { id: string }) {
  const { data, error } = useQuery(ConsoleOrderDocument, { id: props.id });
  const order = data?.domainOrder;
  if (!data) return <ErrorBox error={error} />;
  if (!order) return <p role="alert">No domain order has the id {props.id}.</p>;
  return (
    <>
      <h1>
        Domain order <span class="mono">{order.number}</span>
      </h1>
      <ErrorBox error={error} />
      <OrderActions order={order} />
      <div class="grid">
        <Section title="Order">
          <dl class="facts">
            <dt>Fulfillment state</dt>
            <dd data-testid="fulfillment-state">
              <StateBadge state={order.fulfillmentState} />
            </dd>
            <dt>Order state</dt>
            <dd>
              <StateBadge state={order.state} />
            </dd>
            <dt>External state</dt>
            <dd>{order.externalState ?? '–'}</dd>
            <dt>External id</dt>
            <dd class="mono">{order.externalId ?? '–'}</dd>
            <dt>Point of no return</dt>
            <dd>
              <YesNo value={order.pointOfNoReturn} />
            </dd>
            <dt>Updates available</dt>
            <dd>
              <YesNo value={order.updatesAvailable} />
            </dd>
            <dt>Service</dt>
            <dd>
              {order.serviceSpecification.name ?? ''} <span class="mono">{order.serviceSpecification.id}</span>
            </dd>
            <dt>Category / action</dt>
            <dd>
              {order.category ?? '–'} / {order.action}
            </dd>
            <dt>Version</dt>
            <dd>{order.version}</dd>
            <dt>Parent</dt>
            <dd>{order.parent ? <Link to={`/orders/${order.parent.id}`}>{order.parent.number}</Link> : '–'}</dd>
            <dt>Children</dt>
            <dd>
              {order.children.length === 0
                ? '–'
                : order.children.map((c) => (
                    <span key={c.id} class="child">
                      <Link to={`/orders/${c.id}`}>{c.number}</Link> <StateBadge state={c.fulfillmentState} />
                    </span>
                  ))}
            </dd>
            <dt>Characteristics</dt>
            <dd>
              <Characteristics items={order.characteristics} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Time value={order.updatedAt} />
            </dd>
          </dl>
        </Section>
        <div>
          <Section title="Information required">
            {order.informationRequired ? (
              <div class="attention">
                <p>
                  The system asks for: <span class="mono">{order.informationRequired.fieldPaths.join(', ')}</span>
                </p>
                {order.informationRequired.message && <p>{order.informationRequired.message}</p>}
                <p class="muted">
                  Since <Time value={order.informationRequired.receivedAt} />. Revise the order, then revise the outbound request.
                </p>
              </div>
            ) : (
              <p class="muted">Nothing asked.</p>
            )}
          </Section>
          <Section title="Cancellation">
            {order.cancellation ? (
              <p>
                <StateBadge state={order.cancellation.state} /> {order.cancellation.reason ?? ''} (requested{' '}
                <Time value={order.cancellation.requestedAt} />)
              </p>
            ) : (
              <p class="muted">Not cancelled.</p>
            )}
          </Section>
          <Section title="Milestones" count={order.milestones.length}>
            <ul>
              {order.milestones.map((m, i) => (
                <li key={i}>
                  <strong>{m.name}</strong> {m.status ?? ''} {m.message ?? ''} <Time value={m.milestoneDate} />
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Jeopardy alerts" count={order.jeopardyAlerts.length}>
            <ul>
              {order.jeopardyAlerts.map((j, i) => (
                <li key={i}>
                  <strong>{j.jeopardyType ?? j.name}</strong> {j.message ?? ''} <Time value={j.alertDate} />
                </li>
              ))}
            </ul>
          </Section>
          <ExternalErrors errors={order.externalErrors} />
        </div>
      </div>
      <Section title="Outbound requests" count={order.outboundRequests.length}>
        <OutboundRequestsTable requests={order.outboundRequests} />
      </Section>
      <Section title="Inbound messages" count={order.inboundMessages.totalCount}>
        <InboundMessagesTable messages={order.inboundMessages.edges.map((e) => e.node)} />
      </Section>
    </>
  );
}

function OrderActions(props: { order: RecordDetailsFragment }) {
  const { can } = useContext(SessionContext);
  const { order } = props;
  const submit = useAction(ConsoleSubmitOrderDocument, `Outbound fulfillment request created for ${order.number}`);
  const revise = useAction(ConsoleReviseOrderRequestDocument, `Revision of ${order.number} queued`);
  const cancel = useAction(ConsoleCancelOrderDocument, `Cancellation of ${order.number} requested`);
  const ponr = useAction(ConsoleMarkPointOfNoReturnDocument, `${order.number} marked point of no return`);
  const refresh = useAction(ConsoleRefreshDocument, `${order.number} read again from its system`);
  const reviseOrder = useAction(ConsoleReviseOrderDocument, `${order.number} revised; share it with "Revise outbound request"`);
  if (!can.orders) return null;
  // The revision form shows its own errors; its success shows here, once the form has closed.
  const last = [submit, revise, cancel, ponr, refresh, ...(reviseOrder.done ? [reviseOrder] : [])].filter(
    (a) => a.error || a.done,
  ) as Action<never>[];
  return (
    <div class="actions" role="group" aria-label="Actions">
      {order.canRequestFulfillment && (
        <ConfirmButton
          label="Submit"
          question={`Create the outbound fulfillment request for ${order.number}?`}
          onConfirm={() => submit.run({ id: order.id })}
        />
      )}
      {order.updatesAvailable && (
        <ConfirmButton
          label="Revise outbound request"
          question={`Want to revise outbound fulfillment request for ${order.number}?`}
          onConfirm={() => revise.run({ id: order.id })}
        />
      )}
      {!order.pointOfNoReturn &&
        order.state !== 'CANCELED' &&
        order.state !== 'CANCELLATION_IN_PROGRESS' &&
        order.fulfillmentState !== 'FULFILLED' &&
        order.fulfillmentState !== 'CANCELED' && (
          <ConfirmButton
            label="Cancel order"
            danger
            question={`Cancel ${order.number}? A delivered order is cancelled at its external system too.`}
            note={{ label: 'Reason', required: false }}
            onConfirm={(reason) => cancel.run({ id: order.id, reason: reason || null })}
          />
        )}
      {!order.pointOfNoReturn && order.fulfillmentState !== 'FULFILLED' && order.fulfillmentState !== 'CANCELED' && (
        <ConfirmButton
          label="Mark PONR"
          question={`Mark ${order.number} past the point of no return? It can no longer be revised or cancelled.`}
          onConfirm={() => ponr.run({ id: order.id })}
        />
      )}
      {order.externalId && (
        <button type="button" disabled={refresh.busy} onClick={() => void refresh.run({ subject: 'DOMAIN_ORDER', id: order.id })}>
          Refresh from system
        </button>
      )}
      <RevisionForm record={order} save={(input) => reviseOrder.run({ id: order.id, input })} action={reviseOrder} />
      {last.map((a, i) => (
        <ActionResult key={i} action={a} />
      ))}
    </div>
  );
}
