import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACTED, SecretMask } from './services/secrets/secret-mask';

/** Fields that may carry secrets; pino replaces them wherever they appear in a logged object (one level down too). */
const SECRET_FIELDS = [
  'password',
  'token',
  'clientSecret',
  'client_secret',
  'authorization',
  'cookie',
  'inboundToken',
  'authSecret',
  'access_token',
  'refresh_token',
  'accessToken',
  'jwtSecret',
  'encryptionKey',
  'newEncryptionKey',
];
const REDACT = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.cookie',
  'auth.password',
  'auth.token',
  'auth.clientSecret',
  '*.auth.password',
  '*.auth.token',
  '*.auth.clientSecret',
];

/** `Bearer <token>` anywhere in a line, and JWTs on their own. */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+/g;
/** `\"client_secret\": \"…\"`: JSON quoted inside a logged string (an echo in an error message). */
const ESCAPED_JSON_FIELD =
  /(\\"[A-Za-z0-9_-]*?(?:password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|credentials?|private[_-]?key)\\"\s*:\s*\\")(?:[^"\\]|\\[^"])*(\\")/gi;
/** `Basic <base64 of user:password>`; "Basic auth" and the like are left alone. */
const BASIC = /\b(Basic\s+)([A-Za-z0-9+/]{4,}={0,2})/gi;

/**
 * Masks secrets by value in a finished log line: the process's own secrets, bearer tokens, JWTs, basic
 * credentials, and `"…password": "…"` / `client_secret=…` fragments inside logged texts (an error
 * message quoting an echo). Path redaction (pino `redact`) has already replaced known fields.
 */
export function logLineMask(secrets: (string | null | undefined)[] = []): (line: string) => string {
  const mask = SecretMask.ofValues(secrets);
  return (line) =>
    mask
      .text(line)
      .replace(BEARER, `$1${REDACTED}`)
      .replace(JWT, REDACTED)
      .replace(ESCAPED_JSON_FIELD, `$1${REDACTED}$2`)
      .replace(BASIC, (m, lead: string, value: string) =>
        Buffer.from(value, 'base64').toString('utf8').includes(':') ? `${lead}${REDACTED}` : m,
      );
}

export interface LoggerOptions {
  /** Values never to be written (JWT_SECRET, ENCRYPTION_KEY, the database password). */
  secrets?: (string | null | undefined)[];
  /** Where lines go; default stdout, through pino-pretty when stdout is a terminal. */
  destination?: DestinationStream;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? (process.stdout.isTTY ? pretty({ colorize: true, sync: true }) : pino.destination(1));
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: REDACTED },
      base: { service: 'southgate' },
      hooks: { streamWrite: logLineMask(options.secrets) },
    },
    destination,
  );
}
