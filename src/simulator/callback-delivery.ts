import http from 'node:http';
import https from 'node:https';
import type { StepTimers } from './step-timers';

/** One request the simulator makes to a client's callback (a POST, or the PATCH of a test's status call). */
export interface Delivery {
  method?: 'POST' | 'PATCH';
  url: string;
  body: unknown;
  authorization?: string;
  /** eventType of a TMF event, or "outboundresponse" / "serviceTestStatus" for the compact status calls. */
  label: string;
  eventId?: string;
}

/** What happened to one delivery, kept for tests and `GET /simulator/deliveries`. */
export interface DeliveryRecord {
  method: 'POST' | 'PATCH';
  url: string;
  label: string;
  eventId?: string;
  attempts: number;
  /** Status of the last attempt, if it got an answer. */
  status?: number;
  error?: string;
  delivered: boolean;
}

export interface DeliverySettings {
  attempts: number;
  retryDelayMs: number;
  timeoutMs: number;
}

const LOG_LIMIT = 2000;

/**
 * Sends callbacks through one FIFO queue per stream (a stream = one callback target × one resource), so
 * events about a resource arrive in the order they happened while a slow or failing resource does not
 * hold up the others. A failed attempt (non-2xx, network error, timeout) is retried with doubling waits.
 */
export class CallbackDelivery {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly streams = new Map<string, Promise<void>>();
  private readonly records: DeliveryRecord[] = [];
  private idleWaiters: Array<() => void> = [];
  private pending = 0;
  /** Bumped by reset/close: work queued before is abandoned. */
  private generation = 0;

  constructor(
    private readonly timers: StepTimers,
    private readonly settings: DeliverySettings,
  ) {}

  enqueue(streamKey: string, delivery: Delivery): void {
    const generation = this.generation;
    const previous = this.streams.get(streamKey) ?? Promise.resolve();
    const next = previous.then(() => this.send(delivery, generation));
    this.streams.set(streamKey, next);
    this.pending++;
    void next.finally(() => {
      if (generation !== this.generation) return;
      if (this.streams.get(streamKey) === next) this.streams.delete(streamKey);
      if (--this.pending === 0) this.wakeIdleWaiters();
    });
  }

  /** Resolves once every queued delivery has succeeded or used up its attempts. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  log(): DeliveryRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  reset(): void {
    this.generation++;
    this.streams.clear();
    this.records.length = 0;
    this.pending = 0;
    this.wakeIdleWaiters();
  }

  close(): void {
    this.reset();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private async send(delivery: Delivery, generation: number): Promise<void> {
    const method = delivery.method ?? 'POST';
    const record: DeliveryRecord = {
      method,
      url: delivery.url,
      label: delivery.label,
      eventId: delivery.eventId,
      attempts: 0,
      delivered: false,
    };
    const body = JSON.stringify(delivery.body);
    for (let attempt = 1; attempt <= this.settings.attempts; attempt++) {
      if (generation !== this.generation) return;
      record.attempts = attempt;
      const result = await this.request(method, delivery.url, body, delivery.authorization);
      record.status = result.status;
      record.error = result.error;
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        record.delivered = true;
        break;
      }
      if (attempt < this.settings.attempts) await this.timers.sleep(this.settings.retryDelayMs * 2 ** (attempt - 1));
    }
    if (generation !== this.generation) return;
    this.records.push(record);
    if (this.records.length > LOG_LIMIT) this.records.splice(0, this.records.length - LOG_LIMIT);
  }

  private request(method: string, url: string, body: string, authorization?: string): Promise<{ status?: number; error?: string }> {
    return new Promise((resolve) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      if (authorization) headers.authorization = authorization;
      const request = (secure ? https : http).request(
        target,
        { method, headers, agent: secure ? this.httpsAgent : this.httpAgent, timeout: this.settings.timeoutMs },
        (response) => {
          // Drained so the keep-alive socket can be reused; the status is all that matters.
          response.resume();
          resolve({ status: response.statusCode });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.settings.timeoutMs} ms`)));
      request.on('error', (e) => resolve({ error: e.message }));
      request.end(body);
    });
  }
}
