import { isSecretName, REDACTED, SecretMask } from '../../../src/services/secrets/secret-mask';

const secrets = {
  username: 'gateway',
  password: 'pw/Very+Secret&1"\\x',
  token: 'bearer-tok-77ad01',
  clientId: 'southgate app',
  clientSecret: 'cs+secret/c0ffee=',
  accessToken: 'eyJhbGciOi.access.tok',
};
const mask = SecretMask.of(secrets);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Every form of every secret that the tests below put into texts; none may survive masking. */
const FORMS = [
  secrets.password,
  encodeURIComponent(secrets.password),
  JSON.stringify(secrets.password).slice(1, -1),
  secrets.token,
  secrets.clientSecret,
  encodeURIComponent(secrets.clientSecret),
  secrets.accessToken,
  b64(`${secrets.username}:${secrets.password}`),
  b64(`${encodeURIComponent(secrets.clientId)}:${encodeURIComponent(secrets.clientSecret)}`),
];
const expectClean = (text: string) => {
  for (const form of FORMS) expect(text).not.toContain(form);
};

describe('SecretMask.text', () => {
  it('masks each secret where it occurs, and the basic-auth header values derived from them', () => {
    expect(mask.text(`login failed for gateway with ${secrets.password}`)).toBe(`login failed for gateway with ${REDACTED}`);
    expect(mask.text(`token ${secrets.token} refused; now ${secrets.accessToken}`)).toBe(`token ${REDACTED} refused; now ${REDACTED}`);
    expect(mask.text(`got Basic ${b64(`${secrets.username}:${secrets.password}`)} (that is all)`)).toBe(
      `got Basic ${REDACTED} (that is all)`,
    );
    const tokenRequest = b64(`${encodeURIComponent(secrets.clientId)}:${encodeURIComponent(secrets.clientSecret)}`);
    expect(mask.text(`echo: ${tokenRequest}`)).toBe(`echo: ${REDACTED}`);
    expect(mask.text(`echo: ${b64(`${secrets.clientId}:${secrets.clientSecret}`)}`)).toBe(`echo: ${REDACTED}`);
  });

  it('masks URL-encoded, form-encoded and JSON-escaped forms', () => {
    expect(mask.text(`GET /x?pw=${encodeURIComponent(secrets.password)}`)).toBe(`GET /x?pw=${REDACTED}`);
    expect(mask.text(`body=${new URLSearchParams({ s: secrets.clientSecret }).toString()}`)).toBe(`body=s=${REDACTED}`);
    expect(mask.text(`{"echo":${JSON.stringify(secrets.password)}}`)).toBe(`{"echo":"${REDACTED}"}`);
    const lowerHex = encodeURIComponent(secrets.clientSecret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    expect(lowerHex).toContain('%2b');
    expect(mask.text(`lower-case hex ${lowerHex}`)).toBe(`lower-case hex ${REDACTED}`);
  });

  it('masks secret-named header lines, form fields and JSON fragments whatever their value', () => {
    const echo = [
      'POST /oauth/token HTTP/1.1',
      'Authorization: Basic c29tZW9uZTplbHNl',
      'Proxy-Authorization: Bearer abc',
      'X-Api-Key: k1',
      'Content-Type: application/x-www-form-urlencoded',
      '',
      'grant_type=client_credentials&client_secret=other-secret&scope=orders&refresh_token=r1&access_token=',
    ].join('\r\n');
    expect(mask.text(echo)).toBe(
      [
        'POST /oauth/token HTTP/1.1',
        `Authorization: ${REDACTED}`,
        `Proxy-Authorization: ${REDACTED}`,
        `X-Api-Key: ${REDACTED}`,
        'Content-Type: application/x-www-form-urlencoded',
        '',
        `grant_type=client_credentials&client_secret=${REDACTED}&scope=orders&refresh_token=${REDACTED}&access_token=`,
      ].join('\r\n'),
    );
    expect(mask.text('truncated {"user":"u","password": "p\\"w", "token_type":"bearer"')).toBe(
      `truncated {"user":"u","password": "${REDACTED}", "token_type":"bearer"`,
    );
  });

  it('does not mask secrets shorter than 4 characters by value (too many false hits), only by name', () => {
    const short = SecretMask.of({ username: 'u', password: 'abc', token: 'xy' });
    expect(short.text('abc xy abcdef')).toBe('abc xy abcdef');
    expect(short.text('password=abc')).toBe(`password=${REDACTED}`);
    // The basic-auth header value made from a short password is long enough to mask.
    expect(short.text(`Basic ${b64('u:abc')}`)).toBe(`Basic ${REDACTED}`);
    expect(short.json({ password: 'abc', note: 'abc' })).toEqual({ password: REDACTED, note: 'abc' });
  });

  it('leaves text without secrets as it is', () => {
    const text = 'Service order 42 rejected: characteristic bandwidth must be one of 100M, 1G (token_type=bearer)';
    expect(SecretMask.of({}).text(text)).toBe(text);
    expect(mask.text(text)).toBe(text);
  });

  it('masks a secret that contains another one whole', () => {
    const nested = SecretMask.of({ password: 'secret-long-one', token: 'long' });
    expect(nested.text('x secret-long-one y long')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });
});

describe('SecretMask.json', () => {
  it('masks keys and values, nested, and values of secret-named keys whole; the input is not changed', () => {
    const echo = {
      id: 'so-1',
      state: 'rejected',
      receivedHeaders: { Authorization: `Basic ${b64(`${secrets.username}:${secrets.password}`)}`, 'content-type': 'application/json' },
      receivedForm: `grant_type=client_credentials&client_secret=${encodeURIComponent(secrets.clientSecret)}`,
      errors: [{ message: `bad token ${secrets.token}`, [secrets.accessToken]: 'as a key' }],
      credentials: { user: 'gateway', pass: 'x' },
      client_secret: 12345,
      access_token: null,
      password: '',
      token_type: 'bearer',
      expires_in: 3600,
    };
    const before = JSON.stringify(echo);
    const masked = mask.json(echo);
    expect(masked).toEqual({
      id: 'so-1',
      state: 'rejected',
      receivedHeaders: { Authorization: REDACTED, 'content-type': 'application/json' },
      receivedForm: `grant_type=client_credentials&client_secret=${REDACTED}`,
      errors: [{ message: `bad token ${REDACTED}`, [REDACTED]: 'as a key' }],
      credentials: REDACTED,
      client_secret: REDACTED,
      access_token: null,
      password: '',
      token_type: 'bearer',
      expires_in: 3600,
    });
    expect(Object.keys(masked)).toEqual(Object.keys(echo));
    expectClean(JSON.stringify(masked));
    expect(JSON.stringify(echo)).toBe(before);
  });

  it('keeps scalars, arrays and a __proto__ key as they are', () => {
    expect(mask.json('plain')).toBe('plain');
    expect(mask.json(42)).toBe(42);
    expect(mask.json(null)).toBeNull();
    expect(mask.json([1, 'a', [secrets.token]])).toEqual([1, 'a', [REDACTED]]);
    const parsed = mask.json(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('walks any depth without recursion', () => {
    let deep: unknown = secrets.password;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    let masked = mask.json(deep);
    for (let i = 0; i < 100_000; i++) masked = (masked as unknown[])[0];
    expect(masked).toBe(REDACTED);
  });
});

describe('isSecretName', () => {
  it.each([
    'password',
    'Password',
    'client_secret',
    'clientSecret',
    'access_token',
    'refresh-token',
    'token',
    'Authorization',
    'x-api-key',
    'set-cookie',
    'credentials',
    'private_key',
    'inboundToken',
  ])('%s is', (name) => expect(isSecretName(name)).toBe(true));
  it.each(['token_type', 'expires_in', 'username', 'id', 'state', 'tokenUrl', 'authType'])('%s is not', (name) =>
    expect(isSecretName(name)).toBe(false),
  );
});
