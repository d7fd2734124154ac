import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Role } from '../src/services/auth/roles';
import { configure, percentile, queue, startGateway, startPeer, type BenchDatabase } from './bench-kit';
import type { FromClients, ToClients } from './fanout.clients';
import type { BenchRow } from './report';

const TOKEN = 'bench-fanout-token-bench-fanout-token';
const SUBSCRIPTION = `subscription { fulfillmentStateChanged { subjectId state externalState } }`;

/** One question to the consoles' process at a time (fanout.clients.ts), and its answer. */
function ask_(consoles: ChildProcess): (msg: ToClients) => Promise<FromClients> {
  let waiting: { ok: (m: FromClients) => void; fail: (e: Error) => void } | null = null;
  consoles.on('message', (m: FromClients) => {
    const w = waiting;
    waiting = null;
    if ('failed' in m) w?.fail(new Error(m.failed));
    else w?.ok(m);
  });
  consoles.once('exit', (code) => waiting?.fail(new Error(`the consoles' process exited (${code})`)));
  return (msg) =>
    new Promise((ok, fail) => {
      waiting = { ok, fail };
      consoles.send(msg);
    });
}

/**
 * Subscription fan-out: `clients` graphql-ws clients, in a process of their own (fanout.clients.ts), subscribed
 * to every fulfillment state change; the peer's system posts a TMF event that completes one order; from the
 * callback's answer reaching the system to each client having the change. Events go one at a time (the next
 * once every client has the last). Warm-up events first, until every client has had one (a subscription is
 * not acknowledged by the protocol).
 */
export async function fanoutBench(db: BenchDatabase, clients: number, events: number): Promise<BenchRow> {
  const { server: peer, url: peerUrl } = await startPeer();
  const gateway = await startGateway(db, 'fanout');
  let consoles: ChildProcess | null = null;
  try {
    const systemId = await configure(gateway.services, peerUrl, TOKEN);
    const warmUps = 30;
    const { ids, numbers } = await queue(gateway.services, events + warmUps);
    for (;;) {
      const [{ n }] = await gateway.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM outbound_request WHERE id = ANY($1::uuid[]) AND state = 'DELIVERED'`,
        [ids],
      );
      if (n === ids.length) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const rows = await gateway.dataSource.query<{ id: string; external_id: string }[]>(
      `SELECT id, external_id FROM outbound_request WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const externalIds = new Map(rows.map((r) => [r.id, r.external_id]));

    const token = gateway.services.tokens.issue('bench-console', [Role.VIEWER]);
    consoles = fork(join(__dirname, 'fanout.clients.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ask = ask_(consoles);
    await ask({ connect: { url: `${gateway.url.replace('http', 'ws')}/graphql`, token, clients, query: SUBSCRIPTION } });
    const orderIds = await gateway.dataSource.query<{ id: string; number: string }[]>(
      `SELECT id, number FROM domain_order WHERE number = ANY($1::text[])`,
      [numbers],
    );
    const orderId = new Map(orderIds.map((o) => [o.number, o.id]));
    const complete = async (i: number): Promise<{ sent: bigint; answered: bigint }> => {
      const body = JSON.stringify({
        eventId: randomUUID(),
        eventType: 'ServiceOrderStateChangeEvent',
        eventTime: new Date().toISOString(),
        event: {
          serviceOrder: { id: externalIds.get(ids[i]), state: 'completed', serviceOrderItem: [{ id: numbers[i], state: 'completed' }] },
        },
      });
      const sent = process.hrtime.bigint();
      const res = await fetch(`${gateway.url}/callbacks/${systemId}/listener/serviceOrderStateChangeEvent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body,
      });
      await res.text();
      if (res.status !== 201) throw new Error(`event refused: ${res.status}`);
      return { sent, answered: process.hrtime.bigint() };
    };
    let warm = 0;
    for (;;) {
      const { seen } = (await ask({ seen: true })) as { seen: number };
      if (seen === clients) break;
      if (warm >= warmUps) throw new Error(`only ${seen} of ${clients} clients subscribed after ${warmUps} events`);
      await complete(events + warm++);
      // Give the subscriptions that are still being set up the time to be.
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const samples: number[] = [];
    const fromRequest: number[] = [];
    const answeredIn: number[] = [];
    let beforeAnswer = 0;
    for (let i = 0; i < events; i++) {
      const key = orderId.get(numbers[i])!;
      const { sent, answered } = await complete(i);
      answeredIn.push(Number(answered - sent) / 1e6);
      const { times } = (await ask({ awaiting: key })) as { times: string[] };
      for (const at of times.map(BigInt)) {
        // Delivered before the answer reached the system (on PostgreSQL the NOTIFY can overtake the COMMIT's reply): 0 ms.
        if (at < answered) beforeAnswer++;
        samples.push(Math.max(0, Number(at - answered) / 1e6));
        fromRequest.push(Number(at - sent) / 1e6);
      }
    }
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    return {
      scenario: 'subscription fan-out to 1,000 graphql-ws clients',
      database: db.name,
      value: { p50, p99 },
      unit: 'ms',
      floor: null,
      ratio: null,
      goal: 'p99 < 50 ms',
      meets: p99 < 50,
      notes: [
        `${clients} clients in a process of their own, ${events} events (${samples.length} deliveries); max ${samples.reduce((a, b) => Math.max(a, b), 0).toFixed(1)} ms; ${beforeAnswer} deliveries came before the answer reached the system (counted as 0 ms)`,
        `from the callback's request instead: p50 ${percentile(fromRequest, 50).toFixed(1)}, p99 ${percentile(fromRequest, 99).toFixed(1)} ms; the callback answered in p50 ${percentile(answeredIn, 50).toFixed(1)} ms`,
      ],
    };
  } finally {
    consoles?.disconnect();
    await gateway.close();
    peer.close();
  }
}
