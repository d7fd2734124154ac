import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { projectRoot } from '../project-root';

/** Where `npm run build` puts the operator console (console/, built by Vite). */
export const CONSOLE_DIR = join(projectRoot(), 'dist', 'console');
export const CONSOLE_PATH = '/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Everything the console loads comes from this gateway: scripts and styles from itself, GraphQL over
 * fetch and graphql-ws to itself, no framing by other sites, no referrer (a page never carries the token
 * in its URL, but nothing else leaks either).
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Serves the built console under /console: files by path, with their content type; any other path
 * without a file extension gets index.html (the app routes in the page); hashed assets are cached for
 * good, index.html never. Returns false for paths that are not the console's.
 */
export function consoleStatic(dir: string = CONSOLE_DIR) {
  const root = normalize(dir + sep);
  return async function serveConsole(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== CONSOLE_PATH && !url.pathname.startsWith(CONSOLE_PATH + '/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, req, 405, 'text/plain; charset=utf-8', 'Only GET and HEAD are served under /console\n', { allow: 'GET, HEAD' });
      return true;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname.slice(CONSOLE_PATH.length)).replace(/^\/+/, '');
    } catch {
      send(res, req, 400, 'text/plain; charset=utf-8', 'Malformed path\n');
      return true;
    }
    const file = normalize(join(root, relative));
    if (relative.includes('\0') || !file.startsWith(root)) {
      send(res, req, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return true;
    }
    const asset = relative !== '' && extname(relative) !== '' ? await readIfFile(file) : null;
    if (asset) {
      const immutable = relative.startsWith('assets/');
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      send(res, req, 200, type, asset, { 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
      return true;
    }
    if (extname(relative) !== '') {
      send(res, req, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return true;
    }
    const index = await readIfFile(join(root, 'index.html'));
    if (!index) {
      send(res, req, 404, 'text/plain; charset=utf-8', 'The operator console is not built: run npm run build\n');
      return true;
    }
    send(res, req, 200, CONTENT_TYPES['.html'], index, { 'cache-control': 'no-cache' });
    return true;
  };
}

async function readIfFile(file: string): Promise<Buffer | null> {
  try {
    return (await stat(file)).isFile() ? await readFile(file) : null;
  } catch {
    return null;
  }
}

function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  type: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': bytes.length, ...headers });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/** The sign-in link the start log prints: the token rides in the fragment, which browsers never send. */
export function consoleLink(baseUrl: string, token: string): string {
  return `${baseUrl}${CONSOLE_PATH}/#token=${encodeURIComponent(token)}`;
}
