import { randomBytes } from 'node:crypto';

/** Everything Southgate reads from its environment, typed and validated once at boot. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; null means embedded PGlite under dataDir. */
  databaseUrl: string | null;
  /** PostgreSQL schema to use (tests isolate themselves with one each). */
  databaseSchema: string | null;
  dataDir: string;
  /**
   * Embedded only: PostgreSQL's shared_buffers inside PGlite, in MB. They live in its WebAssembly heap, on
   * top of the data files it reads (from memory or the OS's cache), so the default is a quarter of
   * PostgreSQL's 128 MB (docs/benchmarks.md, tenth pass).
   */
  embeddedSharedBuffersMb: number;
  /**
   * PostgreSQL only: the hot paths' statements (marked `prepared(…)`) are prepared once per connection.
   * Off for a pooler that hands one session's statements to another connection (PgBouncer in
   * transaction mode before 1.21).
   */
  databasePreparedStatements: boolean;
  jwtSecret: string;
  /** True when no JWT_SECRET was configured and one was generated for this process. */
  jwtSecretGenerated: boolean;
  /** Key for secrets at rest (32 bytes, base64 or hex); null: derived and kept under dataDir (embedded only). */
  encryptionKey: string | null;
  /** Allow external system base URLs on private (RFC 1918, loopback, ULA) networks. */
  allowPrivateNetworks: boolean;
  /** Longest lifetime (exp - iat) of an accepted bearer token, in seconds. */
  jwtMaxTtlSeconds: number;
  graphql: GraphQLConfig;
  http: HttpConfig;
  logLevel: string;
  /** Channel for cross-instance events over PostgreSQL LISTEN/NOTIFY (and the Redis channel's name). */
  notifyChannel: string;
  /** redis:// or rediss:// URL of the broker carrying events between instances; null: PostgreSQL NOTIFY. */
  eventBrokerUrl: string | null;
  /** How long a graceful shutdown may take before in-flight work is abandoned. */
  shutdownTimeoutMs: number;
  dispatch: {
    /** Start the dispatcher in this process (false: an API-only instance). */
    enabled: boolean;
    concurrency: number;
    sweepIntervalMs: number;
    leaseMarginMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    breakerFailures: number;
    breakerOpenMs: number;
    unknownOutcomeSettleMs: number;
  };
  /** Where the external systems reach this gateway (its callbacks), for hub registrations; null: not configured. */
  publicUrl: string | null;
  poll: {
    /** Run the poller in this process. */
    enabled: boolean;
    sweepIntervalMs: number;
    batch: number;
    leaseMs: number;
    maxBackoffMs: number;
  };
  /** RETENTION_DAYS: delivered outbound requests and inbound messages older than this are pruned; null: kept forever. */
  retentionDays: number | null;
}

/** What one GraphQL operation may ask for (src/graphql/limits.ts); abusive operations are refused before they run. */
export interface GraphQLConfig {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the query text; graphql-js stops parsing past it. */
  maxTokens: number;
  /** Estimated objects an operation may resolve (src/graphql/query-cost.ts). */
  maxCost: number;
  /** Introspection and Apollo's landing page; off by default when NODE_ENV=production. */
  introspection: boolean;
}

/** What the HTTP server allows a connection and a callback, and who may read /metrics. */
export interface HttpConfig {
  /** A request's headers must have arrived within this long (slow-loris connections are cut). */
  headersTimeoutMs: number;
  /** A whole request, body included, must have arrived within this long. */
  requestTimeoutMs: number;
  /** Callbacks per second per external system (token bucket), and how many may come at once. */
  callbackRate: number;
  callbackBurst: number;
  /** A callback body must have been read within this long after the system was authenticated (else 408). */
  callbackBodyTimeoutMs: number;
  /** Bearer token /metrics requires; null: /metrics is open (keep it off the public network). */
  metricsToken: string | null;
}

/** The embedded database's shared_buffers unless EMBEDDED_SHARED_BUFFERS_MB says otherwise. */
export const EMBEDDED_SHARED_BUFFERS_MB = 32;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, problems: string[], min = 0, max = 65535): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name} must be true or false (got "${env[name]}")`);
  return fallback;
}

/** A duration in seconds: "3600", "90s", "45m", "24h" or "7d". */
function duration(env: Env, name: string, fallback: number, problems: string[], min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+)\s*(s|m|h|d)?$/.exec(raw.trim());
  const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!(seconds >= min && seconds <= max)) {
    problems.push(`${name} must be a duration from ${min} s to ${max / 86400} d, in seconds or like "24h" (got "${raw}")`);
    return fallback;
  }
  return seconds;
}

/** PUBLIC_URL: an http(s) URL without query or fragment, kept without a trailing slash. */
function publicUrl(env: Env, problems: string[]): string | null {
  const raw = env.PUBLIC_URL;
  if (raw === undefined || raw.trim() === '') return null;
  try {
    const url = new URL(raw.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && !url.username && !url.password) {
      return url.toString().replace(/\/+$/, '');
    }
  } catch {
    // reported below
  }
  problems.push(
    'PUBLIC_URL must be an http:// or https:// URL without credentials, query or fragment (where the external systems reach this gateway)',
  );
  return null;
}

function httpConfig(env: Env, problems: string[]): HttpConfig {
  const callbackRate = int(env, 'CALLBACK_RATE', 1000, problems, 1, 1_000_000);
  const http: HttpConfig = {
    headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, problems, 100, 600_000),
    requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 60_000, problems, 100, 3_600_000),
    callbackRate,
    callbackBurst: int(env, 'CALLBACK_BURST', 2 * callbackRate, problems, 1, 10_000_000),
    callbackBodyTimeoutMs: int(env, 'CALLBACK_BODY_TIMEOUT_MS', 10_000, problems, 10, 600_000),
    metricsToken: env.METRICS_TOKEN || null,
  };
  if (http.headersTimeoutMs > http.requestTimeoutMs) problems.push('HTTP_HEADERS_TIMEOUT_MS must not be above HTTP_REQUEST_TIMEOUT_MS');
  if (http.metricsToken !== null && http.metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  return http;
}

/** Reads and validates the environment; reports every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const jwtSecret = env.JWT_SECRET || null;
  if (jwtSecret !== null && jwtSecret.length < 16) problems.push('JWT_SECRET must be at least 16 characters');
  const encryptionKey = env.ENCRYPTION_KEY || null;
  if (encryptionKey !== null && decodeKey(encryptionKey) === null) {
    problems.push('ENCRYPTION_KEY must be 32 bytes, written as 64 hex digits or base64');
  }
  if (databaseUrl && encryptionKey === null) {
    problems.push('ENCRYPTION_KEY is required with DATABASE_URL (secrets of external systems are encrypted with it)');
  }
  const schema = env.DATABASE_SCHEMA || null;
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    problems.push('DATABASE_SCHEMA must be a lower-case SQL identifier');
  }
  const config: Config = {
    port: int(env, 'PORT', 4000, problems),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    databaseSchema: schema,
    dataDir: env.DATA_DIR || './data',
    embeddedSharedBuffersMb: int(env, 'EMBEDDED_SHARED_BUFFERS_MB', EMBEDDED_SHARED_BUFFERS_MB, problems, 1, 1024),
    databasePreparedStatements: bool(env, 'DATABASE_PREPARED_STATEMENTS', true, problems),
    jwtSecret: jwtSecret ?? randomBytes(32).toString('base64url'),
    jwtSecretGenerated: jwtSecret === null,
    encryptionKey,
    allowPrivateNetworks: bool(env, 'ALLOW_PRIVATE_NETWORKS', true, problems),
    jwtMaxTtlSeconds: duration(env, 'JWT_MAX_TTL', 86400, problems, 60, 30 * 86400),
    graphql: {
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 12, problems, 1, 100),
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 30, problems, 0, 10000),
      maxDirectives: int(env, 'GRAPHQL_MAX_DIRECTIVES', 50, problems, 0, 10000),
      maxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 10000, problems, 100, 1000000),
      maxCost: int(env, 'GRAPHQL_MAX_COST', 200000, problems, 1, 100000000),
      introspection: bool(env, 'GRAPHQL_INTROSPECTION', env.NODE_ENV !== 'production', problems),
    },
    http: httpConfig(env, problems),
    logLevel: env.LOG_LEVEL || 'info',
    notifyChannel: env.NOTIFY_CHANNEL || 'southgate_events',
    eventBrokerUrl: env.EVENT_BROKER_URL || null,
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000, problems, 0, 600000),
    dispatch: {
      enabled: bool(env, 'DISPATCH_ENABLED', true, problems),
      concurrency: int(env, 'DISPATCH_CONCURRENCY', 32, problems, 1, 1024),
      sweepIntervalMs: int(env, 'DISPATCH_SWEEP_INTERVAL_MS', 1000, problems, 10, 600000),
      leaseMarginMs: int(env, 'DISPATCH_LEASE_MARGIN_MS', 30000, problems, 0, 3600000),
      retryBaseMs: int(env, 'RETRY_BASE_MS', 1000, problems, 1, 3600000),
      retryMaxMs: int(env, 'RETRY_MAX_MS', 300000, problems, 1, 86400000),
      breakerFailures: int(env, 'BREAKER_FAILURE_THRESHOLD', 5, problems, 1, 1000),
      breakerOpenMs: int(env, 'BREAKER_OPEN_MS', 30000, problems, 1, 3600000),
      unknownOutcomeSettleMs: int(env, 'UNKNOWN_OUTCOME_SETTLE_MS', 30000, problems, 0, 3600000),
    },
    publicUrl: publicUrl(env, problems),
    poll: {
      enabled: bool(env, 'POLL_ENABLED', true, problems),
      sweepIntervalMs: int(env, 'POLL_SWEEP_INTERVAL_MS', 1000, problems, 10, 600000),
      batch: int(env, 'POLL_BATCH', 16, problems, 1, 1000),
      leaseMs: int(env, 'POLL_LEASE_MS', 60000, problems, 1000, 3600000),
      maxBackoffMs: int(env, 'POLL_MAX_BACKOFF_MS', 3600000, problems, 1000, 86400000),
    },
    retentionDays: env.RETENTION_DAYS ? int(env, 'RETENTION_DAYS', 0, problems, 1, 36500) : null,
  };
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${config.logLevel}")`);
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(config.notifyChannel)) problems.push('NOTIFY_CHANNEL must be a lower-case SQL identifier');
  // The URL may hold a password: the message never repeats it.
  if (config.eventBrokerUrl !== null && !isEventBrokerUrl(config.eventBrokerUrl)) {
    problems.push('EVENT_BROKER_URL must be a redis:// or rediss:// URL (redis://[user:password@]host[:port][/db])');
  }
  if (config.dispatch.retryMaxMs < config.dispatch.retryBaseMs) problems.push('RETRY_MAX_MS must not be below RETRY_BASE_MS');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** A 32-byte key from 64 hex digits or base64; null when it is neither. */
export function decodeKey(text: string): Buffer | null {
  const buf = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return buf.length === 32 ? buf : null;
}

/** Is this an EVENT_BROKER_URL Southgate can use: redis:// or rediss:// with a host? */
export function isEventBrokerUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '';
  } catch {
    return false;
  }
}
