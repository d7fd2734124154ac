import { print } from 'graphql';
import jwt from 'jsonwebtoken';
import { CreateDomainOrderDocument, ExternalSystemsDocument, FulfillmentStateChangedDocument } from '../__generated__/graphql';
import { loadConfig } from '../../src/config';
import { Role } from '../../src/services/auth/roles';
import { TokenService } from '../../src/services/auth/token.service';
import { UnauthenticatedError } from '../../src/services/common/domain.errors';
import { code, startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { orderInput } from './factories';

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: object) => jwt.sign({ roles: [Role.ADMIN], ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256', subject: 'someone' });

describe('TokenService', () => {
  const tokens = new TokenService(TEST_JWT_SECRET, 24 * 3600);
  const refusal = (token: string) => {
    try {
      tokens.verify(token);
    } catch (err) {
      expect(err).toBeInstanceOf(UnauthenticatedError);
      return (err as Error).message;
    }
    throw new Error('the token was accepted');
  };

  it('accepts a token that expires within JWT_MAX_TTL, and says when it expires', () => {
    const exp = now() + 24 * 3600;
    expect(tokens.verify(sign({ iat: now(), exp }))).toEqual({ id: 'someone', roles: [Role.ADMIN], expiresAt: exp * 1000 });
    // Without iat, the lifetime counts from now.
    const noIat = jwt.sign({ roles: [Role.ADMIN], exp: now() + 3600 }, TEST_JWT_SECRET, { algorithm: 'HS256', noTimestamp: true });
    expect(jwt.decode(noIat)).not.toHaveProperty('iat');
    expect(tokens.verify(noIat).expiresAt).toBe((now() + 3600) * 1000);
  });

  it('refuses a token without exp, saying why', () => {
    expect(refusal(jwt.sign({ roles: [Role.ADMIN] }, TEST_JWT_SECRET, { algorithm: 'HS256' }))).toBe(
      'The token has no expiry (exp claim); tokens must expire within 1d',
    );
  });

  it('refuses a token that lives longer than JWT_MAX_TTL, counted from iat or, without one, from now', () => {
    expect(refusal(sign({ iat: now(), exp: now() + 30 * 86400 }))).toBe(
      'The token lives 30d (exp - iat); tokens may live at most 1d: get one that expires sooner',
    );
    const noIat = jwt.sign({ roles: [Role.ADMIN], exp: now() + 2 * 86400 }, TEST_JWT_SECRET, { algorithm: 'HS256', noTimestamp: true });
    expect(refusal(noIat)).toMatch(/^The token lives .+ \(exp - iat\); tokens may live at most 1d/);
    // An old iat does not stretch the allowance: what counts is exp - iat.
    expect(refusal(sign({ iat: now() - 86400, exp: now() + 3600 }))).toBe(
      'The token lives 25h (exp - iat); tokens may live at most 1d: get one that expires sooner',
    );
  });

  it('issues tokens with exp, within its own limit', () => {
    const short = new TokenService(TEST_JWT_SECRET, 600);
    const claims = jwt.decode(short.issue('me', [Role.VIEWER])) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(600);
    const usual = jwt.decode(tokens.issue('me', [Role.VIEWER])) as jwt.JwtPayload;
    expect(usual.exp! - usual.iat!).toBe(12 * 3600);
    expect(() => short.verify(short.issue('me', [Role.VIEWER]))).not.toThrow();
  });

  it('JWT_MAX_TTL is read as seconds or as a duration, and checked', () => {
    expect(loadConfig({}).jwtMaxTtlSeconds).toBe(86400);
    expect(loadConfig({ JWT_MAX_TTL: '8h' }).jwtMaxTtlSeconds).toBe(8 * 3600);
    expect(loadConfig({ JWT_MAX_TTL: '900' }).jwtMaxTtlSeconds).toBe(900);
    expect(loadConfig({ JWT_MAX_TTL: '2d' }).jwtMaxTtlSeconds).toBe(2 * 86400);
    expect(() => loadConfig({ JWT_MAX_TTL: 'forever' })).toThrow(
      /JWT_MAX_TTL must be a duration from 60 s to 30 d, in seconds or like "24h" \(got "forever"\)/,
    );
    expect(() => loadConfig({ JWT_MAX_TTL: '365d' })).toThrow(/JWT_MAX_TTL/);
  });
});

describe('Tokens at the edges', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false', JWT_MAX_TTL: '1h' } });
  });
  afterAll(() => app.close());

  it('over HTTP a token without exp, or living too long, is 401 UNAUTHENTICATED with the reason', async () => {
    const noExp = await app.gql(
      ExternalSystemsDocument,
      undefined,
      jwt.sign({ roles: [Role.ADMIN] }, TEST_JWT_SECRET, { algorithm: 'HS256' }),
    );
    expect(noExp.status).toBe(401);
    expect(code(noExp)).toBe('UNAUTHENTICATED');
    expect(noExp.errors![0].message).toBe('The token has no expiry (exp claim); tokens must expire within 1h');
    const tooLong = await app.gql(ExternalSystemsDocument, undefined, sign({ exp: now() + 2 * 3600 }));
    expect(tooLong.status).toBe(401);
    expect(tooLong.errors![0].message).toBe('The token lives 2h (exp - iat); tokens may live at most 1h: get one that expires sooner');
    // The gateway's own tokens fit its limit.
    expect((await app.gql(ExternalSystemsDocument, undefined, app.token([Role.VIEWER]))).errors).toBeUndefined();
  });

  it('a graphql-ws connection without exp is refused with 4403', async () => {
    const client = app.wsClient(jwt.sign({ roles: [Role.VIEWER] }, TEST_JWT_SECRET, { algorithm: 'HS256' }));
    const closed = new Promise<{ code: number }>((resolve) => client.on('closed', (event) => resolve(event as { code: number })));
    client.subscribe(
      { query: print(FulfillmentStateChangedDocument) },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    expect((await closed).code).toBe(4403);
  });

  it('a graphql-ws connection is closed with 4403 when its token expires, and receives nothing after', async () => {
    const events: unknown[] = [];
    const client = app.wsClient(sign({ iat: now(), exp: now() + 2 }));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.on('closed', (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolve({ code, reason });
      }),
    );
    const before = app.runtime.services.eventBus.subscriberCount;
    const ended = new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: print(FulfillmentStateChangedDocument) },
        { next: (e) => events.push(e), error: resolve, complete: () => resolve('complete') },
      ),
    );
    while (app.runtime.services.eventBus.subscriberCount <= before) await new Promise((r) => setTimeout(r, 10));
    const start = Date.now();
    const { code: closeCode, reason } = await closed;
    expect(closeCode).toBe(4403);
    expect(reason).toBe('Forbidden: the token has expired');
    expect(await ended).toMatchObject({ code: 4403 });
    expect(Date.now() - start).toBeLessThan(10_000);
    // The server dropped the subscription; a change now reaches nobody on that connection.
    while (app.runtime.services.eventBus.subscriberCount > before) await new Promise((r) => setTimeout(r, 10));
    await app.ok(CreateDomainOrderDocument, { input: orderInput() });
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toEqual([]);
  });
});
