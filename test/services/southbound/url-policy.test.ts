import { checkBaseUrl, forbiddenAddress, ipv6Bytes } from '../../../src/services/southbound/url-policy';
import { LOOPBACK_URLS, METADATA_URLS } from './ssrf-urls';

const strict = { allowPrivateNetworks: false };
const lenient = { allowPrivateNetworks: true };

/** Forms that carry the target elsewhere than the host: refused for the form itself. */
const SMUGGLED = [
  ['http://admin@169.254.169.254/', 'must not carry credentials; use the auth input instead'],
  ['http://169.254.169.254%2f@example.com/', 'must not carry credentials; use the auth input instead'],
  ['http://example.com#@169.254.169.254/', 'must not have a query string or fragment'],
  ['http://example.com?@169.254.169.254/', 'must not have a query string or fragment'],
  ['gopher://127.0.0.1:6379/_SET', 'must be an http:// or https:// URL'],
  ['file:///etc/passwd', 'must be an http:// or https:// URL'],
  ['dict://127.0.0.1:11211/', 'must be an http:// or https:// URL'],
  ['http://[::ffff:169.254.169.254', 'is not a valid URL'],
  ['http://425.510.425.510/', 'is not a valid URL'],
] as const;

describe('the external system address policy', () => {
  it.each(METADATA_URLS)('refuses %s whatever ALLOW_PRIVATE_NETWORKS says', (url) => {
    expect(() => checkBaseUrl(url, lenient)).toThrow(/^points at /);
    expect(() => checkBaseUrl(url, strict)).toThrow(/^points at /);
  });

  it.each(LOOPBACK_URLS)('refuses %s with ALLOW_PRIVATE_NETWORKS=false, accepts it with true', (url) => {
    expect(() => checkBaseUrl(url, strict)).toThrow(
      /^points at .*private-network address \(set ALLOW_PRIVATE_NETWORKS=true to allow it\)$/,
    );
    expect(() => checkBaseUrl(url, lenient)).not.toThrow();
  });

  it.each(SMUGGLED)('refuses %s: %s', (url, message) => {
    expect(() => checkBaseUrl(url, lenient)).toThrow(message);
  });

  it.each([
    'https://activation.example.net/tmf-api/serviceOrdering/v4',
    'http://8.8.8.8:8080/tmf',
    'http://[2606:4700:4700::1111]/tmf',
    'http://[::ffff:8.8.8.8]/',
    'http://[64:ff9b::808:808]/',
    'http://[2002:808:808::1]/',
    'https://metadata.example.com/',
    'https://169.254.169.254.example.com/',
  ])('accepts a public target: %s', (url) => {
    expect(() => checkBaseUrl(url, strict)).not.toThrow();
  });

  it('says why, naming the range and how the IPv4 address was hidden, never quoting the URL', () => {
    const why = (url: string) => {
      try {
        checkBaseUrl(url, strict);
      } catch (err) {
        return (err as Error).message;
      }
      return null;
    };
    expect(why('http://[64:ff9b::a9fe:a9fe]/')).toBe(
      'points at a NAT64 address (64:ff9b::/96) whose IPv4 address is a link-local or cloud metadata address (169.254.0.0/16)',
    );
    expect(why('http://[::a9fe:a9fe]/')).toBe(
      'points at an IPv4-compatible IPv6 address whose IPv4 address is a link-local or cloud metadata address (169.254.0.0/16)',
    );
    expect(why('http://[2001:0:4136:e378:8000:63bf:5601:5601]/')).toBe(
      'points at a Teredo address (2001::/32) whose IPv4 address is a link-local or cloud metadata address (169.254.0.0/16)',
    );
    expect(why('http://0.0.0.0/')).toBe('points at an address in "this network" 0.0.0.0/8 (0.0.0.0 reaches the local host)');
    expect(why('http://metadata.google.internal/')).toBe('points at a cloud metadata host');
    expect(why('http://localhost/')).toBe(
      'points at the local host, a private-network address (set ALLOW_PRIVATE_NETWORKS=true to allow it)',
    );
    expect(why('https://idp.example/token?client_secret=hunter2-very-secret')).toBe('must not have a query string or fragment');
    expect(why('not a url hunter2-very-secret')).toBe('is not a valid URL');
  });

  describe('forbiddenAddress (also what DNS answers are checked with at connect time)', () => {
    it.each([
      ['169.254.169.254', true],
      ['::ffff:169.254.169.254', true],
      ['::ffff:a9fe:a9fe', true],
      ['::169.254.169.254', true],
      ['64:ff9b::169.254.169.254', true],
      ['64:ff9b:1::a9fe:a9fe', true],
      ['2002:a9fe:a9fe::1', true],
      ['2001:0:4136:e378:8000:63bf:5601:5601', true],
      ['fe80::1%eth0', true],
      ['fd00:ec2::254', true],
      ['0.0.0.0', true],
      ['::', true],
      ['100::1', true],
      ['2001:db8::1', true],
      ['192.0.2.1', true],
      ['127.0.0.1', false],
      ['::1', false],
      ['10.1.2.3', false],
      ['fd12::1', false],
      ['64:ff9b:1::808:808', false],
    ])('%s is forbidden; whatever ALLOW_PRIVATE_NETWORKS says: %s', (ip, always) => {
      expect(forbiddenAddress(ip, lenient) !== null).toBe(always);
      expect(forbiddenAddress(ip, strict)).not.toBeNull();
    });

    it('8.8.8.8 and public IPv6 are allowed by both', () => {
      for (const ip of ['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8'])
        expect(forbiddenAddress(ip, strict)).toBeNull();
    });
  });

  it('reads every IPv6 spelling into its 16 bytes', () => {
    const bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254];
    for (const ip of [
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '0:0:0:0:0:ffff:a9fe:a9fe',
      '[::FFFF:A9FE:A9FE]',
      '0000:0000:0000:0000:0000:ffff:169.254.169.254',
    ]) {
      expect(ipv6Bytes(ip)).toEqual(bytes);
    }
    expect(ipv6Bytes('64:ff9b::1.2.3.4')).toEqual([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(ipv6Bytes('fe80::1%eth0')).toEqual([0xfe, 0x80, ...Array(13).fill(0), 1]);
    expect(ipv6Bytes('1.2.3.4')).toBeNull();
  });
});
