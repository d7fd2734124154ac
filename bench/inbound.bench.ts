import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { concurrently, configure, median, queue, startGateway, startPeer, type BenchDatabase } from './bench-kit';
import type { BenchRow } from './report';

interface InboundRound {
  listenerPerSecond: number;
  bareLoopPerSecond: number;
}

const TOKEN = 'bench-inbound-token-bench-inbound-token';

/** An order's life as its system reports it: in progress, a milestone, completed. Each one changes the order. */
function eventsOf(externalId: string, number: string): { name: string; body: string }[] {
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 1) + ms).toISOString();
  const item = (state: string) => [{ id: number, state }];
  const envelope = (eventType: string, ms: number, serviceOrder: object) =>
    JSON.stringify({ eventId: randomUUID(), eventType, eventTime: at(ms), event: { serviceOrder } });
  return [
    {
      name: 'serviceOrderStateChangeEvent',
      body: envelope('ServiceOrderStateChangeEvent', 1, { id: externalId, state: 'inProgress', serviceOrderItem: item('inProgress') }),
    },
    {
      name: 'serviceOrderMilestoneEvent',
      body: envelope('ServiceOrderMilestoneEvent', 2, {
        id: externalId,
        milestone: [{ id: `${number}-m1`, name: 'designCompleted', milestoneDate: at(2) }],
      }),
    },
    {
      name: 'serviceOrderStateChangeEvent',
      body: envelope('ServiceOrderStateChangeEvent', 3, { id: externalId, state: 'completed', serviceOrderItem: item('completed') }),
    },
  ];
}

/**
 * Inbound events. Each round sends `orders` orders to the peer (untimed), then times `senders` concurrent
 * senders posting each order's three events to the listener over HTTP (one sender per order at a time, so
 * an order's events arrive in their order, as a system's do), then times a bare loop with the same
 * concurrency inserting the same messages, one row each, into the same database. The listener does all
 * a message needs: authenticate, read, look the order up, lock it, plan, update, store the message with
 * its outcome, publish; the floor only stores.
 */
export async function inboundBench(db: BenchDatabase, orders: number, senders: number, roundCount: number): Promise<BenchRow> {
  const runtime = await startGateway(db, 'inbound', { DISPATCH_CONCURRENCY: String(senders) });
  const { services, dataSource } = runtime;
  const { server: peer, url: peerUrl } = await startPeer();
  const agent = new Agent({ connections: senders, keepAliveTimeout: 60_000 });

  const untilAllDelivered = async (ids: string[]) => {
    for (;;) {
      const [{ count }] = await dataSource.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM outbound_request WHERE id = ANY($1::uuid[]) AND state = 'DELIVERED'`,
        [ids],
      );
      if (count === ids.length) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const round = async (size: number): Promise<InboundRound> => {
    const { ids, numbers } = await queue(services, size);
    // Untimed: the runtime's dispatcher sends them as they are queued.
    await untilAllDelivered(ids);
    const rows = await dataSource.query<{ id: string; external_id: string }[]>(
      `SELECT id, external_id FROM outbound_request WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const externalIds = new Map(rows.map((r) => [r.id, r.external_id]));
    const perOrder = ids.map((id, i) => eventsOf(externalIds.get(id)!, numbers[i]));
    const total = perOrder.length * perOrder[0].length;

    const listenerPerSecond =
      (await concurrently(perOrder.length, senders, async (i) => {
        for (const event of perOrder[i]) {
          const res = await request(`${runtime.url}/callbacks/${systemId}/listener/${event.name}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
            body: event.body,
            dispatcher: agent,
          });
          const answer = (await res.body.json()) as { outcome?: string };
          if (res.statusCode !== 201 || answer.outcome !== 'APPLIED')
            throw new Error(`event refused: ${res.statusCode} ${JSON.stringify(answer)}`);
        }
      })) * perOrder[0].length;
    const [{ count }] = await dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM domain_order WHERE number = ANY($1::text[]) AND fulfillment_state = 'FULFILLED'`,
      [numbers],
    );
    if (count !== size) throw new Error(`expected ${size} FULFILLED, found ${count}`);

    await dataSource.query(
      `CREATE TABLE IF NOT EXISTS bench_inbound (id uuid PRIMARY KEY, external_system_id uuid NOT NULL, event_id text NOT NULL, body jsonb NOT NULL,
         received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (external_system_id, event_id))`,
    );
    const messages = perOrder.flat();
    const bareLoopPerSecond = await concurrently(messages.length, senders, async (i) => {
      const body = messages[i].body;
      await dataSource.query(`INSERT INTO bench_inbound (id, external_system_id, event_id, body) VALUES ($1, $2, $3, $4)`, [
        randomUUID(),
        systemId,
        (JSON.parse(body) as { eventId: string }).eventId,
        body,
      ]);
    });
    await dataSource.query(`DROP TABLE bench_inbound`);
    if (messages.length !== total) throw new Error('message count mismatch');
    return { listenerPerSecond, bareLoopPerSecond };
  };

  let systemId = '';
  try {
    systemId = await configure(services, peerUrl, TOKEN);
    await round(Math.min(orders, 100));
    const rounds: InboundRound[] = [];
    for (let i = 0; i < roundCount; i++) rounds.push(await round(orders));
    const ratio = median(rounds.map((r) => r.listenerPerSecond / r.bareLoopPerSecond));
    return {
      scenario: 'inbound events through the listener, 20 senders',
      database: db.name,
      value: median(rounds.map((r) => r.listenerPerSecond)),
      unit: 'events/s',
      floor: median(rounds.map((r) => r.bareLoopPerSecond)),
      floorLabel: 'bare INSERT loop',
      ratio,
      goal: '≥ 0.50',
      meets: ratio >= 0.5,
      notes: [
        `${orders * 3} events (${orders} orders, 3 each), ${senders} senders, median of ${roundCount} rounds`,
        `rounds (listener / bare, events/s): ${rounds.map((r) => `${r.listenerPerSecond.toFixed(0)} / ${r.bareLoopPerSecond.toFixed(0)}`).join(', ')}`,
      ],
    };
  } finally {
    await agent.close();
    peer.close();
    await runtime.close();
  }
}
