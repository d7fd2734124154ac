import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundAuthType } from '../../../src/entities/enums';
import { ExternalSystemEntity } from '../../../src/entities/external-system.entity';
import { ForbiddenAddressError, HttpClient } from '../../../src/services/southbound/http-client';
import { OutboundAuth, TokenError } from '../../../src/services/southbound/outbound-auth';
import { forbiddenHost } from '../../../src/services/southbound/url-policy';
import { METADATA_URLS } from './ssrf-urls';

/** What a hostile DNS server answers: names that look harmless when a system is saved. */
const ANSWERS: Record<string, LookupAddress[]> = {
  'v4-metadata.attacker.test': [{ address: '169.254.169.254', family: 4 }],
  'mapped.attacker.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
  'compatible.attacker.test': [{ address: '::a9fe:a9fe', family: 6 }],
  'nat64.attacker.test': [{ address: '64:ff9b::a9fe:a9fe', family: 6 }],
  'local-nat64.attacker.test': [{ address: '64:ff9b:1::a9fe:a9fe', family: 6 }],
  '6to4.attacker.test': [{ address: '2002:a9fe:a9fe::1', family: 6 }],
  'teredo.attacker.test': [{ address: '2001:0:4136:e378:8000:63bf:5601:5601', family: 6 }],
  'aws-v6.attacker.test': [{ address: 'fd00:ec2::254', family: 6 }],
  'zero.attacker.test': [{ address: '0.0.0.0', family: 4 }],
  // One bad answer among good ones is enough: the connection could go to any of them.
  'mixed.attacker.test': [
    { address: '127.0.0.1', family: 4 },
    { address: '169.254.169.254', family: 4 },
  ],
  'loopback.attacker.test': [{ address: '127.0.0.1', family: 4 }],
  'private.attacker.test': [{ address: '10.0.0.7', family: 4 }],
};

const resolve = (hostname: string, _options: object, callback: (err: Error | null, addresses: LookupAddress[]) => void) => {
  const answer = ANSWERS[hostname];
  if (!answer) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
  callback(null, answer);
};

async function refusal(http: HttpClient, url: string): Promise<ForbiddenAddressError | null> {
  const err = await http.send({ method: 'POST', url, headers: {}, body: '{}', timeoutMs: 1000 }).then(
    () => null,
    (e: unknown) => e,
  );
  const found = [err, (err as { cause?: unknown } | null)?.cause].find((e) => e instanceof ForbiddenAddressError);
  return found ?? null;
}

describe('the outbound HTTP client checks every connection against the address policy', () => {
  const lenient = new HttpClient({ allowPrivateNetworks: true }, { resolve });
  const strict = new HttpClient({ allowPrivateNetworks: false }, { resolve });
  afterAll(async () => {
    await lenient.close();
    await strict.close();
  });

  const ALWAYS = Object.keys(ANSWERS).filter((h) => !['loopback.attacker.test', 'private.attacker.test'].includes(h));

  it.each(ALWAYS)('a host name that resolves to a forbidden address (%s), whatever ALLOW_PRIVATE_NETWORKS says', async (host) => {
    for (const http of [lenient, strict]) {
      const err = await refusal(http, `http://${host}:9/tmf-api/serviceOrder`);
      expect(err).not.toBeNull();
      expect(err!.message).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')} resolves to \\S+, `));
    }
  });

  it.each(['loopback.attacker.test', 'private.attacker.test'])('%s (a private address) with ALLOW_PRIVATE_NETWORKS=false', async (host) => {
    expect((await refusal(strict, `http://${host}:9/`))!.message).toMatch(/private-network address/);
  });

  it('a private address with ALLOW_PRIVATE_NETWORKS=true: the client goes on to connect (and finds nobody on port 9)', async () => {
    expect(await refusal(lenient, 'http://loopback.attacker.test:9/')).toBeNull();
  });

  // Checked with the function send() calls first, so that no test could ever send a packet there.
  it.each(METADATA_URLS)('an address written into the URL is checked before connecting (no DNS involved): %s', (url) => {
    expect(forbiddenHost(new URL(url), { allowPrivateNetworks: true })).not.toBeNull();
  });

  it('a loopback URL stored while private networks were allowed is refused once they are not', async () => {
    const server: Server = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tmf`;
    try {
      expect((await lenient.send({ method: 'GET', url, headers: {}, timeoutMs: 1000 })).status).toBe(200);
      expect((await refusal(strict, url))!.message).toMatch(/^127\.0\.0\.1 is a private-network address/);
      expect((await refusal(strict, url.replace('127.0.0.1', 'localhost')))!.message).toMatch(/^localhost is the local host/);
    } finally {
      server.close();
    }
  });

  it('an OAuth2 token URL that resolves to a metadata address fails for good (CONFIGURATION), not as a retry', async () => {
    const system = Object.assign(new ExternalSystemEntity(), {
      id: 'sys-ssrf',
      name: 'NA',
      authType: OutboundAuthType.OAUTH2_CLIENT_CREDENTIALS,
      timeoutMs: 1000,
    });
    const err = (await new OutboundAuth(lenient)
      .header(system, { tokenUrl: 'https://nat64.attacker.test/oauth/token', clientId: 'c', clientSecret: 's' })
      .catch((e: unknown) => e)) as TokenError;
    expect(err).toBeInstanceOf(TokenError);
    expect(err.failure).toEqual({
      kind: 'PERMANENT',
      category: 'CONFIGURATION',
      message:
        'OAuth2 token endpoint: nat64.attacker.test resolves to 64:ff9b::a9fe:a9fe, a NAT64 address (64:ff9b::/96) whose IPv4 address is a link-local or cloud metadata address (169.254.0.0/16)',
    });
  });
});
