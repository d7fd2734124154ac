import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `probe` until it returns something truthy; fails with `what` after the deadline. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 3000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON request with fetch; the body is parsed when there is one. */
export async function call<T = any>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

let orderCounter = 0;

/** A valid TMF641 v4.1 ServiceOrder_Create with two items; the second has a nested child. */
export function orderBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  orderCounter++;
  return {
    externalId: `SO-${orderCounter}`,
    category: 'CFS',
    serviceOrderItem: [
      { id: '1', action: 'add', service: { serviceSpecification: { id: 'internet' } } },
      {
        id: '2',
        action: 'add',
        service: { serviceSpecification: { id: 'voip' } },
        serviceOrderItem: [{ id: '2.1', action: 'add', service: { serviceSpecification: { id: 'sip-trunk' } } }],
      },
    ],
    ...overrides,
  };
}

let testCounter = 0;

/** A valid TMF653 v4.2 ServiceTest_Create asking for two metrics. */
export function testBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  testCounter++;
  return {
    name: `speed-test-${testCounter}`,
    relatedService: { id: 'svc-1' },
    testSpecification: { id: 'spec-speed' },
    testMeasure: [{ metricName: 'latency' }, { metricName: 'throughput', testMeasureDefinitionId: 'def-2' }],
    ...overrides,
  };
}

export interface ReceivedCallback {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** What the listener answered. */
  status?: number;
}

/**
 * A southbound client's callback endpoint: records every POST and answers 201, or what `answer` says
 * (e.g. a 500 for the first delivery, to prove retries).
 */
export class CallbackListener {
  readonly received: ReceivedCallback[] = [];
  /** Returns the status for a request; every request (answered or not) is recorded. */
  answer: (req: ReceivedCallback, index: number) => number = () => 201;
  url = '';
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedCallback = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      const index = this.received.push(received) - 1;
      received.status = this.answer(received, index);
      res.writeHead(received.status).end();
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callbacks`;
    return this;
  }

  /** TMF events received for one resource id, in arrival order. */
  eventsFor(id: string): ReceivedCallback[] {
    return this.received.filter((r) => {
      const resource = r.body?.event && (Object.values(r.body.event)[0] as { id?: string; serviceOrder?: { id: string } });
      return resource?.id === id || resource?.serviceOrder?.id === id;
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
