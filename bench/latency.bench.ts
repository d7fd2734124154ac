import { configure, createOrders, graphql, percentile, startGateway, startPeer, type BenchDatabase } from './bench-kit';
import type { BenchRow } from './report';

const SUBMIT = `mutation Submit($id: ID!) { createFulfillmentRequest(domainOrderId: $id) { requestId } }`;

/**
 * Commit → send latency at low load: one order at a time, the "Create Outbound Fulfillment Request"
 * mutation over HTTP; from its response reaching the client to the peer having the POST's body. The
 * dispatcher is woken after commit, as the response is sent: a send that wins the race counts as 0 ms.
 */
export async function latencyBench(db: BenchDatabase, orders: number): Promise<BenchRow> {
  // The request id is known from the response only, and the peer may have the POST first.
  const arrivedAt = new Map<string, bigint>();
  const waiting = new Map<string, (at: bigint) => void>();
  const { server: peer, url: peerUrl } = await startPeer((body) => {
    const at = process.hrtime.bigint();
    const requestId = (JSON.parse(body) as { externalId: string }).externalId;
    arrivedAt.set(requestId, at);
    waiting.get(requestId)?.(at);
  });
  const gateway = await startGateway(db, 'latency');
  try {
    await configure(gateway.services, peerUrl);
    const warmUp = Math.min(20, orders);
    const ids = (await createOrders(gateway.services, orders + warmUp)).map((o) => o.id);
    const samples: number[] = [];
    for (const [i, id] of ids.entries()) {
      const { createFulfillmentRequest } = await graphql<{ createFulfillmentRequest: { requestId: string } }>(gateway, SUBMIT, { id });
      const answered = process.hrtime.bigint();
      const requestId = createFulfillmentRequest.requestId;
      const at = arrivedAt.get(requestId) ?? (await new Promise<bigint>((ok) => waiting.set(requestId, ok)));
      if (i >= warmUp) samples.push(Math.max(0, Number(at - answered) / 1e6));
    }
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    return {
      scenario: 'commit → send latency at low load (one order at a time, 200 orders)',
      database: db.name,
      value: { p50, p99 },
      unit: 'ms',
      floor: null,
      ratio: null,
      goal: 'p50 < 10 ms, p99 < 50 ms',
      meets: p50 < 10 && p99 < 50,
      notes: [`${samples.length} orders after ${warmUp} unmeasured; max ${Math.max(...samples).toFixed(1)} ms`],
    };
  } finally {
    await gateway.close();
    peer.close();
  }
}
