import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { Runtime } from '../src/runtime';
import { concurrently, configure, createOrders, graphql, median, startGateway, type BenchDatabase } from './bench-kit';
import type { BenchRow } from './report';

const SUBMIT = `mutation Submit($id: ID!) { createFulfillmentRequest(domainOrderId: $id) { requestId outboundRequests { id number state } } }`;

type Query = (sql: string, params?: unknown[]) => Promise<unknown[]>;

interface Round {
  submissions: number;
  floor: number;
}

/** Runs `work` in one transaction: through its own pg pool on PostgreSQL, the embedded connection on PGlite. */
function transactions(db: BenchDatabase, gateway: Runtime, clients: number) {
  if (!db.url) {
    return {
      run: (work: (q: Query) => Promise<void>) => gateway.dataSource.transaction((m) => work((sql, params) => m.query(sql, params))),
      close: () => Promise.resolve(),
    };
  }
  const pool = new Pool({ connectionString: db.url, max: clients, options: `-c search_path=${gateway.config.databaseSchema}` });
  return {
    run: async (work: (q: Query) => Promise<void>) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await work(async (sql, params) => (await client.query(sql, params)).rows as unknown[]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * GraphQL submission, `clients` concurrent clients each submitting prepared orders over HTTP (the
 * dispatcher is off: only the submission is measured), against the same transaction in plain SQL: lock the
 * order, read the rule, insert the request with its payload and its link, mark the order PENDING, notify.
 * A round times `orders` submissions on each side, the gateway's first; a smaller round first warms both up
 * unmeasured (V8 compiles the GraphQL and HTTP stack over the first few hundred requests, the floor's pool
 * opens its connections), and the ratio is the median of the rounds', as dispatch and inbound do.
 */
export async function submissionBench(db: BenchDatabase, orders: number, clients: number, roundCount: number): Promise<BenchRow> {
  const gateway = await startGateway(db, 'submission', { DISPATCH_ENABLED: 'false' });
  const tx = transactions(db, gateway, clients);
  try {
    const systemId = await configure(gateway.services, 'http://127.0.0.1:9/tmf-api/serviceOrdering/v4');
    // The payload the floor inserts: one the gateway built.
    const [sample] = await createOrders(gateway.services, 1);
    await graphql(gateway, SUBMIT, { id: sample.id });
    const [template] = await gateway.dataSource.query<{ payload: unknown; rule_id: string }[]>(
      `SELECT payload, rule_id FROM outbound_request ORDER BY seq DESC LIMIT 1`,
    );
    const channel = gateway.config.notifyChannel;

    const warmUp = Math.min(orders, 100);
    const round = async (size: number): Promise<Round> => {
      const viaGraphql = await createOrders(gateway.services, size);
      const submissions = await concurrently(size, clients, async (i) => {
        await graphql(gateway, SUBMIT, { id: viaGraphql[i].id });
      });
      const viaSql = await createOrders(gateway.services, size);
      const floor = await concurrently(size, clients, (i) =>
        tx.run(async (q) => {
          const [order] = (await q(`SELECT id, version FROM domain_order WHERE root_id = $1 ORDER BY depth, seq FOR UPDATE`, [
            viaSql[i].id,
          ])) as { id: string; version: number }[];
          await q(`SELECT id FROM decision_rule WHERE subject = 'DOMAIN_ORDER' AND active ORDER BY priority LIMIT 1`);
          const requestId = randomUUID();
          const [request] = (await q(
            `INSERT INTO outbound_request (request_id, subject, operation, api, external_system_id, rule_id, hierarchical, state, http_method, path, payload)
             VALUES ($1, 'DOMAIN_ORDER', 'CREATE', 'SERVICE_ORDERING_TMF641', $2, $3, true, 'QUEUED', 'POST', '/serviceOrder', $4) RETURNING id`,
            [requestId, systemId, template.rule_id, JSON.stringify({ ...(template.payload as object), externalId: requestId })],
          )) as { id: string }[];
          await q(
            `INSERT INTO outbound_request_domain_order (outbound_request_id, domain_order_id, position, record_version) VALUES ($1, $2, 0, $3)`,
            [request.id, order.id, order.version],
          );
          await q(`UPDATE domain_order SET fulfillment_state = 'PENDING', updated_at = now() WHERE id = $1`, [order.id]);
          await q(`SELECT pg_notify($1, $2)`, [channel, JSON.stringify({ id: request.id, state: 'QUEUED' })]);
        }),
      );
      return { submissions, floor };
    };

    await round(warmUp);
    const rounds: Round[] = [];
    for (let i = 0; i < roundCount; i++) rounds.push(await round(orders));
    const [{ pending }] = await gateway.dataSource.query<{ pending: number }[]>(
      `SELECT count(*)::int AS pending FROM domain_order WHERE fulfillment_state = 'PENDING'`,
    );
    // The sample, then each round's orders on both sides.
    const submitted = 1 + 2 * (warmUp + roundCount * orders);
    if (pending !== submitted) throw new Error(`expected ${submitted} PENDING orders, found ${pending}`);
    const ratio = median(rounds.map((r) => r.submissions / r.floor));
    return {
      scenario: 'GraphQL submission, 32 concurrent clients',
      database: db.name,
      value: median(rounds.map((r) => r.submissions)),
      unit: 'submissions/s',
      floor: median(rounds.map((r) => r.floor)),
      floorLabel: 'same transaction in plain SQL',
      ratio,
      goal: '≥ 0.50',
      meets: ratio >= 0.5,
      notes: [
        `${orders} orders each side, ${clients} clients, median of ${roundCount} rounds after one of ${warmUp} unmeasured`,
        `rounds (GraphQL / plain SQL, submissions/s): ${rounds.map((r) => `${r.submissions.toFixed(0)} / ${r.floor.toFixed(0)}`).join(', ')}`,
      ],
    };
  } finally {
    await tx.close();
    await gateway.close();
  }
}
