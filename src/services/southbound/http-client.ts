import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { forbiddenAddress, forbiddenHost, type UrlPolicy } from './url-policy';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON text; a Buffer is sent without a copy. */
  body?: string | Buffer;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
  /** The body was longer than MAX_RESPONSE_BYTES: bodyText is its start only. */
  truncated?: boolean;
}

/** Raised before connecting when a host name resolves to an address the URL policy forbids. */
export class ForbiddenAddressError extends Error {
  readonly code = 'ERR_FORBIDDEN_ADDRESS';
}

/** Largest response body we read; TMF resources are small, an endless body must not exhaust memory. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * The outbound HTTP client: one undici Agent with keep-alive connections per origin, a per-request
 * deadline, and DNS answers checked against the URL policy at connect time (a host name that was
 * harmless when the system was configured may point at a metadata address later).
 */
export class HttpClient {
  private readonly agent: Agent;

  constructor(
    private readonly policy: UrlPolicy,
    options: {
      connections?: number;
      /** DNS resolution (tests give their own answers). */
      resolve?: (hostname: string, options: { all: true }, callback: (err: Error | null, addresses: LookupAddress[]) => void) => void;
    } = {},
  ) {
    const resolve = options.resolve ?? dnsLookup;
    const lookup = (hostname: string, opts: object, callback: (...args: unknown[]) => void) => {
      resolve(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
        if (err) return callback(err);
        for (const a of addresses) {
          const why = forbiddenAddress(a.address, policy);
          if (why) return callback(new ForbiddenAddressError(`${hostname} resolves to ${a.address}, ${why}`));
        }
        const all = (opts as { all?: boolean }).all;
        if (all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      });
    };
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: options.connections ?? 64,
      connect: { lookup: lookup as never, timeout: 10_000 },
    });
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    // An IP address in the URL is never looked up, so it is checked here: a URL stored before the
    // policy was tightened (or ALLOW_PRIVATE_NETWORKS was turned off) is refused all the same.
    const why = forbiddenHost(url, this.policy);
    if (why) throw new ForbiddenAddressError(`${url.hostname} is ${why}`);
    // The whole exchange's deadline, cleared when it is over: an AbortSignal.timeout() would outlive the
    // request and, firing later, cost each send a DOMException with its stack (about 0.2 ms of CPU).
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      req.timeoutMs,
    );
    timer.unref();
    try {
      return await this.exchange(url, req, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async exchange(url: URL, req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const { statusCode, headers, body } = await this.agent.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: req.method,
      headers: req.headers,
      body: req.body,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > MAX_RESPONSE_BYTES) {
        truncated = true;
        body.destroy();
        break;
      }
      chunks.push(chunk as Buffer);
    }
    const bodyText = Buffer.concat(chunks).toString('utf8');
    return truncated ? { status: statusCode, headers, bodyText, truncated } : { status: statusCode, headers, bodyText };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
