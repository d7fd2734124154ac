import { isIP } from 'node:net';

export interface UrlPolicy {
  /** Allow RFC 1918, loopback, CGNAT, benchmarking and unique-local addresses (southbound systems usually live there). */
  allowPrivateNetworks: boolean;
}

/** Hosts that answer cloud metadata requests; never a southbound system. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** Names of the local host itself; private by policy (DNS answers are checked again when connecting). */
const LOCAL_HOSTS = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

const PRIVATE = 'a private-network address (set ALLOW_PRIVATE_NETWORKS=true to allow it)';

interface Range {
  /** First address and prefix length, as bytes. */
  net: number[];
  bits: number;
  /** null: private (allowed by policy); a text: never allowed, and why. */
  never: string | null;
}

const v4 = (cidr: string, never: string | null): Range => {
  const [ip, bits] = cidr.split('/');
  return { net: ip.split('.').map(Number), bits: Number(bits), never };
};

/**
 * The IANA IPv4 special-purpose ranges that matter for a target, in order: exceptions before the ranges
 * they sit in. Public unicast is everything else.
 */
const IPV4_RANGES: Range[] = [
  v4('100.100.100.200/32', 'a cloud metadata address (Alibaba Cloud)'),
  v4('168.63.129.16/32', 'a cloud platform address (Azure WireServer)'),
  v4('0.0.0.0/8', 'an address in "this network" 0.0.0.0/8 (0.0.0.0 reaches the local host)'),
  v4('169.254.0.0/16', 'a link-local or cloud metadata address (169.254.0.0/16)'),
  v4('192.0.0.0/24', 'an IETF protocol assignment (192.0.0.0/24, cloud metadata among them)'),
  v4('192.0.2.0/24', 'a documentation address (TEST-NET-1)'),
  v4('198.51.100.0/24', 'a documentation address (TEST-NET-2)'),
  v4('203.0.113.0/24', 'a documentation address (TEST-NET-3)'),
  v4('192.88.99.0/24', 'a 6to4 relay anycast address (192.88.99.0/24)'),
  v4('224.0.0.0/4', 'a multicast address'),
  v4('240.0.0.0/4', 'a reserved or broadcast address (240.0.0.0/4)'),
  v4('10.0.0.0/8', null),
  v4('172.16.0.0/12', null),
  v4('192.168.0.0/16', null),
  v4('127.0.0.0/8', null),
  v4('100.64.0.0/10', null),
  v4('198.18.0.0/15', null),
];

const v6 = (cidr: string, never: string | null): Range => {
  const [ip, bits] = cidr.split('/');
  return { net: ipv6Bytes(ip)!, bits: Number(bits), never };
};

/**
 * IPv6 ranges, checked after any IPv4 address inside (embeddedIpv4) passed. 2001::/23 holds Teredo too:
 * a southbound system is never reached through it.
 */
const IPV6_RANGES: Range[] = [
  v6('::/128', 'the unspecified address'),
  v6('::1/128', null),
  v6('100::/64', 'a discard-only address (100::/64)'),
  v6('64:ff9b:1::/48', null),
  v6('2001::/23', 'an IETF protocol assignment (2001::/23)'),
  v6('2001:db8::/32', 'a documentation address (2001:db8::/32)'),
  v6('3fff::/20', 'a documentation address (3fff::/20)'),
  v6('fd00:ec2::/32', 'a cloud metadata address (fd00:ec2::/32)'),
  v6('fc00::/7', null),
  v6('fe80::/10', 'a link-local address (fe80::/10)'),
  v6('fec0::/10', null),
  v6('ff00::/8', 'a multicast address'),
];

function inRange(bytes: number[], range: Range): boolean {
  if (bytes.length !== range.net.length) return false;
  for (let bit = 0; bit < range.bits; bit += 8) {
    const mask = range.bits - bit >= 8 ? 0xff : (0xff << (8 - (range.bits - bit))) & 0xff;
    if ((bytes[bit / 8] & mask) !== (range.net[bit / 8] & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 address (a zone id such as %eth0 is ignored), or null when it is not one. */
export function ipv6Bytes(ip: string): number[] | null {
  const text = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(text) !== 6) return null;
  let head = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    head = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
    for (const part of dotted[2].split('.')) tail.push(Number(part));
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, null];
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = right === null ? [] : groups(right);
  const missing = 8 - tail.length / 2 - l.length - r.length;
  const all = [...l, ...new Array<number>(right === null ? 0 : missing).fill(0), ...r];
  return [...all.flatMap((g) => [g >> 8, g & 0xff]), ...tail];
}

/**
 * The IPv4 addresses an IPv6 address carries, with how: IPv4-mapped (::ffff:a.b.c.d, also written
 * ::ffff:a9fe:a9fe), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96,
 * and the local-use 64:ff9b:1::/48 in its last 32 bits), 6to4 (2002::/16) and Teredo (2001::/32: its
 * server, and its client, whose address is the bitwise NOT of the last 32 bits).
 */
function embeddedIpv4(b: number[]): { how: string; ipv4: number[] }[] {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return [{ how: 'an IPv4-mapped IPv6 address', ipv4: b.slice(12) }];
  if (zero(0, 8) && b[8] === 0xff && b[9] === 0xff && zero(10, 12)) return [{ how: 'an IPv4-translated IPv6 address', ipv4: b.slice(12) }];
  // ::/96 less :: and ::1, which are IPv6's own.
  if (zero(0, 12) && !(zero(12, 15) && b[15] <= 1)) return [{ how: 'an IPv4-compatible IPv6 address', ipv4: b.slice(12) }];
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (zero(4, 12)) return [{ how: 'a NAT64 address (64:ff9b::/96)', ipv4: b.slice(12) }];
    // Local-use NAT64 may embed at other RFC 6052 positions too; the whole range is private (below).
    if (b[4] === 0 && b[5] === 1) return [{ how: 'a local-use NAT64 address (64:ff9b:1::/48)', ipv4: b.slice(12) }];
  }
  if (b[0] === 0x20 && b[1] === 0x02) return [{ how: 'a 6to4 address (2002::/16)', ipv4: b.slice(2, 6) }];
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) {
    return [
      { how: 'a Teredo address (2001::/32)', ipv4: b.slice(4, 8) },
      { how: 'a Teredo address (2001::/32)', ipv4: b.slice(12).map((x) => ~x & 0xff) },
    ];
  }
  return [];
}

function classify(bytes: number[], ranges: Range[], policy: UrlPolicy): string | null {
  const range = ranges.find((r) => inRange(bytes, r));
  if (!range) return null;
  if (range.never !== null) return range.never;
  return policy.allowPrivateNetworks ? null : PRIVATE;
}

/**
 * Why an IP address may not be a target, or null when it may. One policy for every address the gateway
 * connects to: base URLs and OAuth2 token URLs when they are saved, and every DNS answer at connect time.
 */
export function forbiddenAddress(ip: string, policy: UrlPolicy): string | null {
  const text = ip.replace(/^\[|\]$/g, '');
  if (isIP(text) === 4) return classify(text.split('.').map(Number), IPV4_RANGES, policy);
  const bytes = ipv6Bytes(text);
  if (!bytes) return 'not an IP address';
  for (const { how, ipv4 } of embeddedIpv4(bytes)) {
    const why = classify(ipv4, IPV4_RANGES, policy);
    if (why) return `${how} whose IPv4 address is ${why}`;
  }
  return classify(bytes, IPV6_RANGES, policy);
}

/**
 * Why a URL's host may not be a target, or null: a cloud metadata name, the local host's own names (by
 * policy), or an IP address the policy forbids. Host names are checked again at connect time, against
 * what DNS answers then.
 */
export function forbiddenHost(url: URL, policy: UrlPolicy): string | null {
  // "metadata.google.internal." is the same host.
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (METADATA_HOSTS.has(host)) return 'a cloud metadata host';
  if (isIP(host)) return forbiddenAddress(host, policy);
  if (!policy.allowPrivateNetworks && (LOCAL_HOSTS.has(host) || host.endsWith('.localhost'))) return `the local host, ${PRIVATE}`;
  return null;
}

/**
 * Checks an external system's base URL or OAuth2 token URL: http(s) only, no credentials in it, no query
 * or fragment, and not a host the policy forbids. Returns the normalised URL (no trailing slash) or throws
 * an Error whose message says what is wrong, never quoting the URL (a token URL may carry a secret).
 * WHATWG URL parsing has already turned decimal, octal and hex IPv4 spellings (http://2852039166/,
 * http://0251.0376.0251.0376/, http://0xa9fea9fe/) and IDNA look-alikes (ⓛⓞⓒⓐⓛⓗⓞⓢⓣ) into their
 * plain form when the host is looked at.
 */
export function checkBaseUrl(raw: string, policy: UrlPolicy): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http:// or https:// URL');
  if (url.username || url.password) throw new Error('must not carry credentials; use the auth input instead');
  if (url.search || url.hash) throw new Error('must not have a query string or fragment');
  const why = forbiddenHost(url, policy);
  if (why) throw new Error(`points at ${why}`);
  return url.toString().replace(/\/+$/, '');
}
