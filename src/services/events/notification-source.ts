import { Client } from 'pg';
import { getPGliteInstance } from 'typeorm-pglite';
import type { NotificationSource } from './event-bus';

/** LISTEN on a dedicated PostgreSQL connection, reconnecting if it drops. */
export class PostgresNotificationSource implements NotificationSource {
  private client: Client | null = null;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'southgate-listen' });
    client.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) onMessage(msg.payload);
    });
    client.on('error', (err) => {
      this.onError(err);
      if (!this.closed) setTimeout(() => void this.listen(channel, onMessage).catch(this.onError), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN "${channel}"`);
    this.client = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}

/** The embedded PGlite delivers NOTIFY to listeners in the same process. */
export class EmbeddedNotificationSource implements NotificationSource {
  private unlisten: (() => Promise<void>) | null = null;

  async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    const db = await getPGliteInstance();
    this.unlisten = await db.listen(channel, onMessage);
  }

  async close(): Promise<void> {
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = null;
  }
}
