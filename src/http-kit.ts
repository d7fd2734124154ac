import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The small HTTP pieces the server is made of: JSON answers, bounded body reads, request ids, bearer checks. */

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export class BodyTooLargeError extends Error {}
export class BodyTimeoutError extends Error {}

/**
 * Reads a request body up to `limit` bytes; past it, throws BodyTooLargeError without buffering the
 * rest. With `timeoutMs`, a body that has not fully arrived by then throws BodyTimeoutError (the
 * caller answers and closes the connection: the rest is never read).
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs?: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (err: Error | null) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) {
        req.pause();
        reject(err);
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done(new BodyTooLargeError(`body larger than ${limit} bytes`));
      chunks.push(chunk);
    };
    const onEnd = () => done(null);
    const onError = (err: Error) => done(err);
    const onAborted = () => done(new Error('the client aborted the request'));
    if (timeoutMs !== undefined) timer = setTimeout(() => done(new BodyTimeoutError(`body not read within ${timeoutMs} ms`)), timeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

/** An incoming x-request-id worth keeping (a proxy's or a client's), else a fresh one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Does the header carry `Bearer <expected>`? Compared as hashes in constant time, whatever the lengths. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(sha256(presented), sha256(expected)) && presented !== '';
}
