import pino, { type Logger } from 'pino';

/** Fields that may carry secrets; pino replaces them wherever they appear in a logged object. */
const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'clientSecret',
  '*.clientSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'inboundToken',
  '*.inboundToken',
  'authSecret',
  '*.authSecret',
  'access_token',
  '*.access_token',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'southgate' } });
}
