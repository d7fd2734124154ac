import { createServer } from 'node:net';
import { errors, fetch } from 'undici';
import {
  classifyHttpResponse,
  classifyTransportError,
  parseRetryAfter,
  redactCredentials,
  retryDelayMs,
  RETRY_AFTER_CAP_MS,
} from '../../../src/services/southbound/delivery-outcome';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const tmfError = JSON.stringify({ code: 'ERR42', reason: 'Invalid item', message: 'serviceSpecification unknown', status: '400' });

describe('classifyHttpResponse: status classes', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(classifyHttpResponse(status, {}, '{"id":"x"}', NOW)).toEqual({ kind: 'DELIVERED' });
  });

  it.each([
    [408, 'TRANSIENT', 'REMOTE_SERVER', 'Request Timeout'],
    [429, 'TRANSIENT', 'REMOTE_SERVER', 'Too Many Requests'],
    [500, 'TRANSIENT', 'REMOTE_SERVER', 'Internal Server Error'],
    [502, 'TRANSIENT', 'REMOTE_SERVER', 'Bad Gateway'],
    [503, 'TRANSIENT', 'REMOTE_SERVER', 'Service Unavailable'],
    [504, 'TRANSIENT', 'REMOTE_SERVER', 'Gateway Timeout'],
    [401, 'PERMANENT', 'AUTHENTICATION', 'Unauthorized'],
    [403, 'PERMANENT', 'AUTHENTICATION', 'Forbidden'],
    [404, 'PERMANENT', 'CONFIGURATION', 'Not Found'],
    [405, 'PERMANENT', 'CONFIGURATION', 'Method Not Allowed'],
    [301, 'PERMANENT', 'CONFIGURATION', 'Moved Permanently'],
    [400, 'PERMANENT', 'REMOTE_VALIDATION', 'Bad Request'],
    [409, 'PERMANENT', 'REMOTE_BUSINESS', 'Conflict'],
    [422, 'PERMANENT', 'REMOTE_BUSINESS', 'Unprocessable Entity'],
    [410, 'PERMANENT', 'REMOTE_BUSINESS', 'Gone'],
    [418, 'PERMANENT', 'REMOTE_BUSINESS', "I'm a Teapot"],
  ])('%i is %s %s', (status, kind, category, text) => {
    expect(classifyHttpResponse(status, {}, '', NOW)).toEqual({ kind, category, httpStatus: status, message: `HTTP ${status} ${text}` });
  });

  it('reports a status without a standard text by number', () => {
    expect(classifyHttpResponse(499, {}, '', NOW)).toEqual({
      kind: 'PERMANENT',
      category: 'REMOTE_BUSINESS',
      httpStatus: 499,
      message: 'HTTP 499',
    });
  });
});

describe('classifyHttpResponse: TMF Error bodies', () => {
  it('reads a TMF Error object', () => {
    expect(classifyHttpResponse(400, { 'content-type': 'application/json' }, tmfError, NOW)).toEqual({
      kind: 'PERMANENT',
      category: 'REMOTE_VALIDATION',
      httpStatus: 400,
      code: 'ERR42',
      reason: 'Invalid item',
      message: 'HTTP 400 Bad Request: Invalid item: serviceSpecification unknown',
    });
  });

  it('reads a numeric code as a string', () => {
    const body = JSON.stringify({ code: 1001, reason: 'Duplicate order' });
    expect(classifyHttpResponse(409, {}, body, NOW)).toEqual({
      kind: 'PERMANENT',
      category: 'REMOTE_BUSINESS',
      httpStatus: 409,
      code: '1001',
      reason: 'Duplicate order',
      message: 'HTTP 409 Conflict: Duplicate order',
    });
  });

  it('reads an array of errors: the first gives code and reason, the message names all', () => {
    const body = JSON.stringify([
      { code: 'E1', reason: 'Missing field', message: 'serviceSpecification.id' },
      { code: 'E2', reason: 'Bad value', message: 'bandwidth' },
    ]);
    expect(classifyHttpResponse(422, {}, body, NOW)).toEqual({
      kind: 'PERMANENT',
      category: 'REMOTE_BUSINESS',
      httpStatus: 422,
      code: 'E1',
      reason: 'Missing field',
      message: 'HTTP 422 Unprocessable Entity: Missing field: serviceSpecification.id; Bad value: bandwidth',
    });
  });

  it('reads an error nested under "error"', () => {
    const body = JSON.stringify({ error: { code: 'AUTH1', reason: 'Token expired' } });
    expect(classifyHttpResponse(401, {}, body, NOW)).toEqual({
      kind: 'PERMANENT',
      category: 'AUTHENTICATION',
      httpStatus: 401,
      code: 'AUTH1',
      reason: 'Token expired',
      message: 'HTTP 401 Unauthorized: Token expired',
    });
  });

  it('reads an OAuth-style string error', () => {
    const body = JSON.stringify({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(classifyHttpResponse(401, {}, body, NOW)).toMatchObject({
      reason: 'invalid_token',
      message: 'HTTP 401 Unauthorized: invalid_token: The access token expired',
    });
  });

  it('quotes a non-JSON body, whitespace collapsed', () => {
    const body = '<html>\n  <body>Bad   gateway</body>\n</html>';
    expect(classifyHttpResponse(502, {}, body, NOW)).toEqual({
      kind: 'TRANSIENT',
      category: 'REMOTE_SERVER',
      httpStatus: 502,
      message: 'HTTP 502 Bad Gateway: <html> <body>Bad gateway</body> </html>',
    });
  });

  it('quotes JSON that is not an error object', () => {
    expect(classifyHttpResponse(500, {}, '{"foo":1}', NOW)).toMatchObject({ message: 'HTTP 500 Internal Server Error: {"foo":1}' });
    expect(classifyHttpResponse(500, {}, '"oops"', NOW)).toMatchObject({ message: 'HTTP 500 Internal Server Error: "oops"' });
  });

  it('copes with an empty or blank body', () => {
    expect(classifyHttpResponse(500, {}, '', NOW)).toEqual({
      kind: 'TRANSIENT',
      category: 'REMOTE_SERVER',
      httpStatus: 500,
      message: 'HTTP 500 Internal Server Error',
    });
    expect(classifyHttpResponse(400, {}, '  \n', NOW)).toEqual({
      kind: 'PERMANENT',
      category: 'REMOTE_VALIDATION',
      httpStatus: 400,
      message: 'HTTP 400 Bad Request',
    });
  });

  it('truncates long remote text to 500 characters', () => {
    const long = JSON.stringify({ code: 'X', reason: 'r'.repeat(2000), message: 'm'.repeat(2000) });
    const outcome = classifyHttpResponse(400, {}, long, NOW) as { message: string; reason: string };
    expect(outcome.reason).toBe(`${'r'.repeat(499)}…`);
    expect(outcome.message).toHaveLength('HTTP 400 Bad Request: '.length + 500);
    expect(outcome.message.endsWith('…')).toBe(true);
    const html = classifyHttpResponse(502, {}, 'x'.repeat(5000), NOW) as { message: string };
    expect(html.message).toBe(`HTTP 502 Bad Gateway: ${'x'.repeat(499)}…`);
  });
});

describe('Retry-After', () => {
  it('takes seconds', () => {
    expect(classifyHttpResponse(503, { 'Retry-After': '120' }, '', NOW)).toMatchObject({ retryAfterMs: 120_000 });
    expect(classifyHttpResponse(429, { 'retry-after': ['7', '9'] }, '', NOW)).toMatchObject({ retryAfterMs: 7_000 });
  });

  it('takes an HTTP date relative to now, a past date meaning at once', () => {
    expect(classifyHttpResponse(503, { 'retry-after': 'Sat, 01 Mar 2025 12:01:30 GMT' }, '', NOW)).toMatchObject({ retryAfterMs: 90_000 });
    expect(classifyHttpResponse(503, { 'retry-after': 'Sat, 01 Mar 2025 11:00:00 GMT' }, '', NOW)).toMatchObject({ retryAfterMs: 0 });
  });

  it('caps it at one hour', () => {
    expect(RETRY_AFTER_CAP_MS).toBe(3_600_000);
    expect(classifyHttpResponse(503, { 'retry-after': '86400' }, '', NOW)).toMatchObject({ retryAfterMs: 3_600_000 });
    expect(classifyHttpResponse(503, { 'retry-after': 'Sun, 02 Mar 2025 12:00:00 GMT' }, '', NOW)).toMatchObject({
      retryAfterMs: 3_600_000,
    });
  });

  it.each(['soon', '-5', '1.5', '', 'Fri, 99 Foo 2025 99:99:99 GMT'])('ignores %j', (value) => {
    expect(classifyHttpResponse(503, { 'retry-after': value }, '', NOW)).not.toHaveProperty('retryAfterMs');
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('is not reported on permanent failures', () => {
    expect(classifyHttpResponse(400, { 'retry-after': '10' }, '', NOW)).not.toHaveProperty('retryAfterMs');
  });
});

describe('classifyTransportError', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
  const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    [
      'HeadersTimeoutError',
      new errors.HeadersTimeoutError(),
      'Timed out waiting for the response headers (UND_ERR_HEADERS_TIMEOUT): Headers Timeout Error',
    ],
    [
      'BodyTimeoutError',
      new errors.BodyTimeoutError(),
      'Timed out waiting for the response body (UND_ERR_BODY_TIMEOUT): Body Timeout Error',
    ],
    ['ConnectTimeoutError', new errors.ConnectTimeoutError(), 'Timed out connecting (UND_ERR_CONNECT_TIMEOUT): Connect Timeout Error'],
    ['ETIMEDOUT', coded('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443'), 'Timed out connecting (ETIMEDOUT): connect ETIMEDOUT 10.0.0.1:443'],
  ])('a timeout wrapped in "fetch failed": %s', (_label, cause, message) => {
    expect(classifyTransportError(fetchFailed(cause))).toEqual({ kind: 'TRANSIENT', category: 'TIMEOUT', message });
  });

  it('treats an aborted or timed-out signal as a timeout', () => {
    expect(classifyTransportError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toEqual({
      kind: 'TRANSIENT',
      category: 'TIMEOUT',
      message: 'Request timed out (TimeoutError): The operation was aborted due to timeout',
    });
    expect(classifyTransportError(new DOMException('This operation was aborted', 'AbortError'))).toMatchObject({ category: 'TIMEOUT' });
  });

  it.each([
    [
      'ECONNREFUSED',
      coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'),
      'Connection refused (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:9',
    ],
    ['ECONNRESET', coded('ECONNRESET', 'read ECONNRESET'), 'Connection reset by the external system (ECONNRESET): read ECONNRESET'],
    ['EPIPE', coded('EPIPE', 'write EPIPE'), 'Connection closed while sending the request (EPIPE): write EPIPE'],
    [
      'ENOTFOUND',
      coded('ENOTFOUND', 'getaddrinfo ENOTFOUND tmf.example'),
      'Host name not found (ENOTFOUND): getaddrinfo ENOTFOUND tmf.example',
    ],
    [
      'EAI_AGAIN',
      coded('EAI_AGAIN', 'getaddrinfo EAI_AGAIN tmf.example'),
      'Host name lookup failed temporarily (EAI_AGAIN): getaddrinfo EAI_AGAIN tmf.example',
    ],
    ['SocketError', new errors.SocketError('other side closed'), 'Connection failed (UND_ERR_SOCKET): other side closed'],
    ['ClientClosedError', new errors.ClientClosedError(), 'Connection closed (UND_ERR_CLOSED): The client is closed'],
    ['other side closed', new Error('other side closed'), 'Connection closed by the external system: other side closed'],
  ])('a connection failure: %s', (_label, cause, message) => {
    expect(classifyTransportError(fetchFailed(cause))).toEqual({ kind: 'TRANSIENT', category: 'CONNECTION', message });
  });

  it('looks through nested causes and AggregateErrors', () => {
    const deep = new Error('outer', { cause: new Error('middle', { cause: coded('ECONNREFUSED', 'connect ECONNREFUSED ::1:80') }) });
    expect(classifyTransportError(deep)).toMatchObject({
      category: 'CONNECTION',
      message: 'Connection refused (ECONNREFUSED): connect ECONNREFUSED ::1:80',
    });
    const aggregate = new AggregateError([coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:80')], 'all failed');
    expect(classifyTransportError(fetchFailed(aggregate))).toMatchObject({
      category: 'CONNECTION',
      message: expect.stringContaining('(ECONNREFUSED)'),
    });
  });

  it('prefers a timeout anywhere in the chain', () => {
    const err = new Error('reset', {
      cause: Object.assign(new Error('socket'), { code: 'ECONNRESET', cause: new errors.HeadersTimeoutError() }),
    });
    expect(classifyTransportError(err)).toMatchObject({ category: 'TIMEOUT' });
  });

  it('survives cyclic causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = new Error('b', { cause: a });
    expect(classifyTransportError(a)).toEqual({ kind: 'TRANSIENT', category: 'CONNECTION', message: 'Network error: b' });
  });

  it('reports anything else as a connection failure by its innermost error, without URL credentials', () => {
    const err = fetchFailed(
      coded('ERR_TLS_CERT_ALTNAME_INVALID', 'Hostname/IP does not match: https://admin:s3cret@tmf.example/api?access_token=abc&x=1'),
    );
    expect(classifyTransportError(err)).toEqual({
      kind: 'TRANSIENT',
      category: 'CONNECTION',
      message: 'Network error (ERR_TLS_CERT_ALTNAME_INVALID): Hostname/IP does not match: https://tmf.example/api?access_token=***&x=1',
    });
    expect(classifyTransportError('boom')).toEqual({ kind: 'TRANSIENT', category: 'CONNECTION', message: 'Network error: boom' });
    expect(classifyTransportError(undefined)).toEqual({ kind: 'TRANSIENT', category: 'CONNECTION', message: 'Network error' });
  });

  it('redacts credentials from text', () => {
    expect(redactCredentials('GET http://u:p@h/x and https://token@h2/y?password=pw&apiKey=k')).toBe(
      'GET http://h/x and https://h2/y?password=***&apiKey=***',
    );
  });

  it('classifies what undici really throws for a refused connection', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await fetch(`http://127.0.0.1:${port}/serviceOrder`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(classifyTransportError(err)).toMatchObject({
      kind: 'TRANSIENT',
      category: 'CONNECTION',
      message: expect.stringMatching(/^Connection refused \(ECONNREFUSED\)/),
    });
  });
});

describe('retryDelayMs', () => {
  const opts = { baseMs: 1000, maxMs: 60_000 };

  it('doubles per attempt with equal jitter: between half and all of the exponential step', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, { ...opts, random: () => 0 }))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, { ...opts, random: () => 0.999999 }))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(3, { ...opts, random: () => 0.5 })).toBe(3000);
  });

  it('stays within bounds for a seeded random over many attempts', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 1; attempt <= 40; attempt++) {
      const step = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      const d = retryDelayMs(attempt, { ...opts, random });
      expect(d).toBeGreaterThanOrEqual(step / 2);
      expect(d).toBeLessThanOrEqual(step);
    }
    expect(retryDelayMs(2000, { ...opts, random: () => 1 })).toBe(60_000);
  });

  it('is deterministic for the same random sequence', () => {
    const seq = () => {
      const values = [0.1, 0.7, 0.3];
      let i = 0;
      return () => values[i++ % values.length];
    };
    const a = seq();
    const b = seq();
    expect([1, 2, 3].map((n) => retryDelayMs(n, { ...opts, random: a }))).toEqual(
      [1, 2, 3].map((n) => retryDelayMs(n, { ...opts, random: b })),
    );
    const c = seq();
    expect([1, 2, 3].map((n) => retryDelayMs(n, { ...opts, random: c }))).toEqual([550, 1700, 2600]);
  });

  it('never waits less than Retry-After, which also wins over maxMs up to its own cap', () => {
    expect(retryDelayMs(1, { ...opts, retryAfterMs: 30_000, random: () => 0 })).toBe(30_000);
    expect(retryDelayMs(5, { ...opts, retryAfterMs: 100, random: () => 0 })).toBe(8000);
    expect(retryDelayMs(1, { baseMs: 1000, maxMs: 5000, retryAfterMs: 120_000, random: () => 1 })).toBe(120_000);
    expect(retryDelayMs(1, { ...opts, retryAfterMs: 10 * 3_600_000, random: () => 0 })).toBe(3_600_000);
  });

  it('treats attempt 0 or less as the first', () => {
    expect(retryDelayMs(0, { ...opts, random: () => 0 })).toBe(500);
  });
});
