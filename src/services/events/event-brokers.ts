import type { Logger } from 'pino';
import { isEventBrokerUrl } from '../../config';
import { EventBus } from './event-bus';
import { EmbeddedNotificationSource, PostgresNotificationSource, type NotificationSource } from './notification-source';
import { PostgresBroker } from './postgres-broker';
import { RedisBroker, redactedBrokerUrl } from './redis-broker';

/** What picking a broker needs of the configuration (src/config.ts). */
export interface EventBrokerConfig {
  databaseUrl: string | null;
  notifyChannel: string;
  /** redis:// or rediss://; null: PostgreSQL NOTIFY. */
  eventBrokerUrl: string | null;
}

/**
 * The event bus over the configured broker: Redis pub/sub when EVENT_BROKER_URL is set, else NOTIFY on
 * the database (PostgreSQL, or the embedded one in this process). Not started yet.
 */
export function createEventBus(config: EventBrokerConfig, logger: Logger): EventBus {
  const source: NotificationSource = config.databaseUrl
    ? new PostgresNotificationSource(config.databaseUrl, {
        lost: (err) => logger.error({ err }, 'LISTEN connection to the database lost; reconnecting'),
        restored: () => logger.info('LISTEN connection to the database re-established'),
      })
    : new EmbeddedNotificationSource();
  if (!config.eventBrokerUrl) return new EventBus(new PostgresBroker(config.notifyChannel, source));
  if (!isEventBrokerUrl(config.eventBrokerUrl)) {
    throw new Error('EVENT_BROKER_URL must be a redis:// or rediss:// URL');
  }
  logger.info({ broker: redactedBrokerUrl(config.eventBrokerUrl) }, 'events between instances go through Redis');
  return new EventBus(new RedisBroker(config.eventBrokerUrl, config.notifyChannel, source, logger));
}
