import { deferUntilCommit } from '../common/commit-tail';
import type { EventBroker, PublishScope } from './event-broker';
import type { EventEnvelope } from './fulfillment.events';
import type { NotificationSource } from './notification-source';

/**
 * Events through PostgreSQL NOTIFY on one channel, which every instance LISTENs on. A NOTIFY inside a
 * transaction is delivered only on commit, in commit order; a rollback publishes nothing, so no
 * after-commit hook is needed. The database functions publish on the same channel.
 */
export class PostgresBroker implements EventBroker {
  constructor(
    readonly databaseChannel: string,
    private readonly source: NotificationSource,
  ) {}

  get connected(): boolean {
    return this.source.connected;
  }

  start(deliver: (payload: string) => void): Promise<void> {
    return this.source.listen(this.databaseChannel, deliver);
  }

  /**
   * Events travel several to a NOTIFY (a JSON array), as many as fit under PostgreSQL's payload limit:
   * a batch of deliveries publishes hundreds of events, and each notification costs the database, the
   * listening connection and every instance's parser about as much as a small one. They go to the
   * database as one JSON array of those arrays, each notified as its text (json, unlike jsonb, gives an
   * element back as written): an event is stringified once, not again escaped as a string in a second
   * array (a 10,000-node submission publishes 10,000).
   */
  async publish(scope: PublishScope, envelopes: EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const payloads = `[${notificationPayloads(envelopes).join(',')}]`;
    // In a transaction on PostgreSQL the NOTIFY goes with the COMMIT, in the same message (pg-client.ts).
    if (deferUntilCommit(scope.manager, () => notifySql(sqlLiteral(this.databaseChannel), sqlLiteral(payloads)))) return;
    await scope.manager.query(notifySql('$1', '$2'), [this.databaseChannel, payloads]);
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

/** The NOTIFY of each payload of a JSON array of them, in order. */
const notifySql = (channel: string, payloads: string) =>
  `SELECT pg_notify(${channel}, p::text) FROM json_array_elements(${payloads}::json) WITH ORDINALITY AS t(p, n) ORDER BY n`;

/**
 * A string as an SQL literal, whatever standard_conforming_strings says: quotes doubled, and with a
 * backslash in it an escape string (E'…') with backslashes doubled. What pg's escapeLiteral makes, by
 * two regular expressions instead of its loop over each character: on a 1.2 MB array of 10,000 events
 * (a 10,000-node submission publishes that many) the loop took 70 to 135 ms, these 6.
 */
export function sqlLiteral(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7999;

/** The envelopes as JSON arrays of at most MAX_NOTIFY_BYTES each, in order. */
export function notificationPayloads(envelopes: EventEnvelope[]): string[] {
  const payloads: string[] = [];
  let parts: string[] = [];
  let bytes = 2; // the brackets
  for (const envelope of envelopes) {
    const json = JSON.stringify(envelope);
    const size = Buffer.byteLength(json);
    if (size + 2 > MAX_NOTIFY_BYTES) {
      throw new Error(`A ${envelope.topic} event of ${size} bytes does not fit in a notification (at most ${MAX_NOTIFY_BYTES - 2})`);
    }
    if (parts.length > 0 && bytes + 1 + size > MAX_NOTIFY_BYTES) {
      payloads.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 2;
    }
    bytes += (parts.length > 0 ? 1 : 0) + size;
    parts.push(json);
  }
  if (parts.length > 0) payloads.push(`[${parts.join(',')}]`);
  return payloads;
}
