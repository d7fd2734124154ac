import { Writable } from 'node:stream';
import { createLogger } from '../src/logger';

/** Lines a logger writes, parsed. */
function capture(secrets: string[] = []) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', { secrets, destination }), lines };
}

describe('logs redact secrets by path and by value', () => {
  it('known fields are replaced wherever they are, one level down too', () => {
    const { logger, lines } = capture();
    logger.info(
      { password: 'p1-secret', auth: { clientSecret: 'c1-secret' }, headers: { authorization: 'Bearer x' }, keep: 'visible' },
      'm',
    );
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      auth: { clientSecret: '[redacted]' },
      headers: { authorization: '[redacted]' },
      keep: 'visible',
    });
  });

  it('the process secrets, bearer tokens, JWTs, basic credentials and secret-named fragments inside texts are masked', () => {
    const jwtSecret = 'the-jwt-secret-of-this-process';
    const { logger, lines } = capture([jwtSecret]);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJlLXZhbHVl';
    const basic = Buffer.from('user:pa55word').toString('base64');
    logger.warn(
      { err: new Error(`echo: Authorization: Basic ${basic}; {"client_secret": "cs-123456"} token=${jwt} secret ${jwtSecret}`) },
      `refused Bearer abc.def-123 for Basic auth`,
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of [jwtSecret, jwt, basic, 'cs-123456', 'abc.def-123']) expect(text).not.toContain(secret);
    expect(lines[0].msg).toBe('refused Bearer [redacted] for Basic auth');
  });
});
