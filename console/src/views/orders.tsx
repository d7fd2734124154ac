import { useState } from 'preact/hooks';
import { ConsoleOrdersDocument, type DomainOrderState, type FulfillmentState, type OrderRowFragment } from '../__generated__/graphql';
import { ErrorBox, FilterSelect, StateBadge, YesNo } from '../components';
import { FULFILLMENT_STATES, ORDER_STATES } from '../enums';
import { useQuery } from '../hooks';
import { Link } from '../router';

type Tree = OrderRowFragment & { children?: Tree[] };

/** The domain order trees, roots first, each with its children up to four levels. */
export function OrdersView() {
  const [fulfillmentState, setFulfillmentState] = useState<FulfillmentState | ''>('');
  const [state, setState] = useState<DomainOrderState | ''>('');
  const filter = { rootsOnly: true, ...(fulfillmentState ? { fulfillmentState } : {}), ...(state ? { state } : {}) };
  const { data, error } = useQuery(ConsoleOrdersDocument, { filter, first: 100 });
  return (
    <>
      <h1>Domain orders</h1>
      <div class="filters" role="group" aria-label="Filters">
        <FilterSelect label="Fulfillment state" value={fulfillmentState} options={FULFILLMENT_STATES} onChange={setFulfillmentState} />
        <FilterSelect label="Order state" value={state} options={ORDER_STATES} onChange={setState} />
        {data && <span class="muted">{data.domainOrders.totalCount} root orders</span>}
      </div>
      <ErrorBox error={error} />
      {data && <OrderTable roots={data.domainOrders.edges.map((e) => e.node as Tree)} />}
    </>
  );
}

function OrderTable(props: { roots: Tree[] }) {
  if (props.roots.length === 0) return <p class="muted">No orders match.</p>;
  const rows: { order: Tree; depth: number }[] = [];
  const walk = (order: Tree, depth: number) => {
    rows.push({ order, depth });
    order.children?.forEach((c) => walk(c, depth + 1));
  };
  props.roots.forEach((r) => walk(r, 0));
  return (
    <table class="records" aria-label="Domain orders">
      <thead>
        <tr>
          <th>Number</th>
          <th>Service</th>
          <th>Action</th>
          <th>State</th>
          <th>Fulfillment</th>
          <th>External state</th>
          <th>External id</th>
          <th>PONR</th>
          <th>Updates</th>
          <th>Cancellation</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ order, depth }) => (
          <tr key={order.id} data-number={order.number} class={depth === 0 ? 'root' : undefined}>
            <td style={{ paddingLeft: `${0.5 + depth * 1.25}rem` }}>
              {depth > 0 && <span aria-hidden="true">└ </span>}
              <Link to={`/orders/${order.id}`}>{order.number}</Link>
            </td>
            <td>{order.name ?? order.serviceSpecification.name ?? order.serviceSpecification.id}</td>
            <td>{order.action}</td>
            <td>
              <StateBadge state={order.state} />
            </td>
            <td class="fulfillment">
              <StateBadge state={order.fulfillmentState} />
            </td>
            <td>{order.externalState ?? <span class="muted">–</span>}</td>
            <td class="mono">{order.externalId ?? <span class="muted">–</span>}</td>
            <td>
              <YesNo value={order.pointOfNoReturn} yes="PONR" />
            </td>
            <td>
              <YesNo value={order.updatesAvailable} yes="updates" />
            </td>
            <td>
              <StateBadge state={order.cancellation?.state} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
