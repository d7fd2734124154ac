import { Client } from 'pg';
import { getPGliteInstance } from 'typeorm-pglite';

/** Where NOTIFY messages come from: a LISTEN connection to PostgreSQL, or the embedded PGlite. */
export interface NotificationSource {
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  /** False while the LISTEN connection is down (it is being re-established). */
  readonly connected: boolean;
  close(): Promise<void>;
}

/** What a source says about its connection: lost (with why), and back. */
export interface ConnectionEvents {
  lost(err: unknown): void;
  restored(): void;
}

const RECONNECT_MAX_MS = 30_000;

/**
 * LISTEN on a dedicated PostgreSQL connection. A dropped connection is re-established with backoff
 * (1 s doubling to 30 s) until it answers again; what was notified while it was down is not replayed.
 */
export class PostgresNotificationSource implements NotificationSource {
  private client: Client | null = null;
  private closed = false;
  private target: { channel: string; onMessage: (payload: string) => void } | null = null;

  constructor(
    private readonly connectionString: string,
    private readonly events: ConnectionEvents,
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    this.target = { channel, onMessage };
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { channel, onMessage } = this.target!;
    const client = new Client({ connectionString: this.connectionString, application_name: 'southgate-listen' });
    client.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) onMessage(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return; // closing, or this loss is being handled already
    this.client = null;
    this.events.lost(err);
    void client.end().catch(() => undefined);
    this.reconnect(0);
  }

  private reconnect(attempt: number): void {
    if (this.closed) return;
    const delay = Math.min(RECONNECT_MAX_MS, 1000 * 2 ** attempt);
    setTimeout(() => {
      if (this.closed) return;
      this.connect().then(
        () => {
          if (!this.closed) this.events.restored();
        },
        (err: unknown) => {
          this.events.lost(err);
          this.reconnect(attempt + 1);
        },
      );
    }, delay).unref();
  }
}

/** The embedded PGlite delivers NOTIFY to listeners in the same process. */
export class EmbeddedNotificationSource implements NotificationSource {
  private unlisten: (() => Promise<void>) | null = null;
  readonly connected = true;

  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    const db = await getPGliteInstance();
    this.unlisten = await db.listen(channel, onMessage);
  }

  async close(): Promise<void> {
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = null;
  }
}
