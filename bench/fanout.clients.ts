import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * The fan-out scenario's consoles, in a process of their own (as consoles are on other machines): the
 * gateway's process only serves them. Started by fanout.bench.ts over IPC with the gateway's URL, a token
 * and how many clients; receipt times are `process.hrtime.bigint()`, the system's monotonic clock, which
 * the bench's process reads too.
 */
export type ToClients = { connect: { url: string; token: string; clients: number; query: string } } | { seen: true } | { awaiting: string };
export type FromClients = { connected: true } | { seen: number } | { key: string; times: string[] } | { failed: string };

const send = (msg: FromClients) => process.send!(msg);
const received = new Map<string, bigint[]>(); // subjectId -> receipt times
const seen = new Set<number>();
const sockets: Client[] = [];
let clients = 0;
let awaiting: string | null = null;

/** Answers the bench once every client has the change to `awaiting`. */
const answer = () => {
  if (awaiting === null || (received.get(awaiting)?.length ?? 0) < clients) return;
  send({ key: awaiting, times: received.get(awaiting)!.map(String) });
  awaiting = null;
};

function connect(url: string, token: string, count: number, query: string) {
  clients = count;
  const connected: Promise<unknown>[] = [];
  for (let c = 0; c < count; c++) {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
    });
    sockets.push(client);
    connected.push(new Promise((ok) => client.on('connected', ok)));
    client.subscribe<{ fulfillmentStateChanged: { subjectId: string } }>(
      { query },
      {
        next: (msg) => {
          const at = process.hrtime.bigint();
          const key = msg.data?.fulfillmentStateChanged.subjectId ?? '';
          (received.get(key) ?? received.set(key, []).get(key)!).push(at);
          seen.add(c);
          answer();
        },
        error: (err) => send({ failed: `subscription failed: ${JSON.stringify(err)}` }),
        complete: () => undefined,
      },
    );
  }
  void Promise.all(connected).then(() => send({ connected: true }));
}

process.on('message', (msg: ToClients) => {
  if ('connect' in msg) connect(msg.connect.url, msg.connect.token, msg.connect.clients, msg.connect.query);
  else if ('seen' in msg) send({ seen: seen.size });
  else {
    awaiting = msg.awaiting;
    answer();
  }
});
process.on('disconnect', () => {
  for (const s of sockets) void s.dispose();
  process.exit(0);
});
