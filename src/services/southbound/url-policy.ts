import { isIP } from 'node:net';

export interface UrlPolicy {
  /** Allow RFC 1918, loopback, CGNAT and unique-local addresses (southbound systems usually live there). */
  allowPrivateNetworks: boolean;
}

/** Hosts that answer cloud metadata requests; never a southbound system. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

function ipv4Parts(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** Why an IP address may not be a target, or null when it may. */
export function forbiddenAddress(ip: string, policy: UrlPolicy): string | null {
  // IPv4-mapped IPv6 comes in dotted (::ffff:1.2.3.4) and, as WHATWG URLs print it, hex (::ffff:102:304) form.
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i
    .exec(ip)
    ?.slice(1)
    .map((h) => parseInt(h, 16));
  const v4 = hex
    ? [hex[0] >> 8, hex[0] & 255, hex[1] >> 8, hex[1] & 255].join('.')
    : ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4
      ? ip.slice(7)
      : ip;
  if (isIP(v4) === 4) {
    const [a, b] = ipv4Parts(v4);
    if (a === 169 && b === 254) return 'a link-local or cloud metadata address';
    if (a === 0) return 'an unspecified address';
    if (a >= 224) return 'a multicast or reserved address';
    const isPrivate =
      a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
    if (isPrivate && !policy.allowPrivateNetworks) return 'a private-network address (set ALLOW_PRIVATE_NETWORKS=true to allow it)';
    return null;
  }
  const v6 = ip.toLowerCase();
  if (/^fe[89ab]/.test(v6)) return 'a link-local address';
  if (v6 === '::') return 'an unspecified address';
  if (v6.startsWith('ff')) return 'a multicast address';
  if (v6.startsWith('fd00:ec2::254')) return 'a cloud metadata address';
  const isPrivate = v6 === '::1' || /^f[cd]/.test(v6);
  if (isPrivate && !policy.allowPrivateNetworks) return 'a private-network address (set ALLOW_PRIVATE_NETWORKS=true to allow it)';
  return null;
}

/**
 * Checks an external system's base URL: http(s) only, no credentials in it, no query or fragment, and
 * not a link-local / metadata / (by policy) private address. Returns the normalised URL (no trailing
 * slash) or throws an Error whose message says what is wrong. Host names are checked again when the
 * dispatcher resolves them, since DNS can change after this check.
 */
export function checkBaseUrl(raw: string, policy: UrlPolicy): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`"${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http:// or https:// URL');
  if (url.username || url.password) throw new Error('must not carry credentials; use the auth input instead');
  if (url.search || url.hash) throw new Error('must not have a query string or fragment');
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, ''); // "metadata.google.internal." is the same host
  if (METADATA_HOSTS.has(host)) throw new Error(`${host} is a cloud metadata host`);
  if (isIP(host)) {
    const why = forbiddenAddress(host, policy);
    if (why) throw new Error(`${host} is ${why}`);
  } else if (!policy.allowPrivateNetworks && (host === 'localhost' || host.endsWith('.localhost'))) {
    throw new Error(`${host} is a private-network address (set ALLOW_PRIVATE_NETWORKS=true to allow it)`);
  }
  return url.toString().replace(/\/+$/, '');
}
