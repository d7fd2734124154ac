import 'reflect-metadata';
import { configure, graphql, orderInput, seconds, startGateway, startPeer, type BenchDatabase } from './bench-kit';

const CREATE = `mutation Create($input: DomainOrderInput!) { createDomainOrder(input: $input) { id } }`;
const SUBMIT = `mutation Submit($id: ID!) { createFulfillmentRequest(domainOrderId: $id) { outboundRequests { id } } }`;

/**
 * One hierarchical order of `BENCH_TREE_NODES` nodes (a root, `width` children, their children), run in a
 * process of its own so that its peak RSS is this scenario's alone: create it over GraphQL, submit it
 * (one CREATE carrying every node), and send it to the peer. Prints one JSON line. On PGlite the gateway
 * keeps its database under BENCH_CHILD_DATA_DIR, as deployed; BENCH_TREE_FIRST_START only starts it there.
 */
async function main(): Promise<void> {
  const db: BenchDatabase = process.env.BENCH_CHILD_DATABASE_URL
    ? { name: 'postgresql', url: process.env.BENCH_CHILD_DATABASE_URL }
    : { name: 'pglite', url: null };
  const nodes = Number(process.env.BENCH_TREE_NODES ?? 10_000);
  // width children, each with width + 1 of their own: 1 + width + width * (width + 1) nodes.
  const width = Math.max(1, Math.round((-2 + Math.sqrt(4 + 4 * (nodes - 1))) / 2));
  const input = { ...orderInput(0), children: Array.from({ length: width }, () => orderInput(width + 1)) };
  const total = 1 + width + width * (width + 1);

  const dataDir = process.env.BENCH_CHILD_DATA_DIR;
  const gateway = await startGateway(db, 'tree', { DISPATCH_CONCURRENCY: '4', ...(dataDir ? { DATA_DIR: dataDir } : {}) });
  if (process.env.BENCH_TREE_FIRST_START) {
    // The embedded gateway's first start on an empty DATA_DIR (initdb, migrations), in a process of its own.
    await gateway.close();
    process.stdout.write(`${JSON.stringify({ firstStartPeakMb: process.resourceUsage().maxRSS / 1024 })}\n`);
    return;
  }
  const { server: peer, url: peerUrl } = await startPeer();
  try {
    await configure(gateway.services, peerUrl);
    // A small order first, unmeasured, as a gateway that has been running has done: its first submission
    // compiles the TMF schema validator (most of a second).
    const warm = await graphql<{ createDomainOrder: { id: string } }>(gateway, CREATE, { input: orderInput(2) });
    await graphql(gateway, SUBMIT, { id: warm.createDomainOrder.id });
    let t = process.hrtime.bigint();
    const { createDomainOrder } = await graphql<{ createDomainOrder: { id: string } }>(
      gateway,
      `
        mutation Create($input: DomainOrderInput!) {
          createDomainOrder(input: $input) {
            id
          }
        }
      `,
      { input },
    );
    const create = seconds(t);
    t = process.hrtime.bigint();
    const { createFulfillmentRequest } = await graphql<{ createFulfillmentRequest: { outboundRequests: { id: string }[] } }>(
      gateway,
      `
        mutation Submit($id: ID!) {
          createFulfillmentRequest(domainOrderId: $id) {
            outboundRequests {
              id
            }
          }
        }
      `,
      { id: createDomainOrder.id },
    );
    const submit = seconds(t);
    t = process.hrtime.bigint();
    const ids = createFulfillmentRequest.outboundRequests.map((r) => r.id);
    for (;;) {
      const [{ n }] = await gateway.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM outbound_request WHERE id = ANY($1::uuid[]) AND state = 'DELIVERED'`,
        [ids],
      );
      if (n === ids.length) break;
      await new Promise((ok) => setTimeout(ok, 5));
    }
    const send = seconds(t);
    const peakMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify({ nodes: total, requests: ids.length, create, submit, send, peakMb })}\n`);
  } finally {
    await gateway.close();
    peer.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`tree bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
