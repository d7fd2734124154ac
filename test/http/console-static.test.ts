import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleLink, consoleStatic } from '../../src/http/console-static';

/** /console serves the built app: files with their types, index.html for the app's own paths, nothing outside. */
describe('console static files', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'app-1234.css'), 'body{}');
    writeFileSync(join(tmpdir(), 'outside-console.txt'), 'secret');
    const serve = consoleStatic(dir);
    server = createServer((req, res) => {
      void serve(req, res, new URL(req.url ?? '/', 'http://localhost')).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'outside-console.txt'), { force: true });
  });

  it('serves assets with their content type, cached for good, under a self-only CSP', async () => {
    const js = await fetch(`${base}/console/assets/app-1234.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(`${base}/console/assets/app-1234.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it("answers the app's own paths with index.html, never cached", async () => {
    for (const path of ['/console', '/console/', '/console/orders/1b2c', '/console/fallouts?status=OPEN']) {
      const res = await fetch(base + path);
      expect([path, res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([
        path,
        200,
        'text/html; charset=utf-8',
        'no-cache',
      ]);
      expect(await res.text()).toContain('<title>console</title>');
    }
  });

  it('refuses missing files, paths out of the directory and other methods; leaves other paths alone', async () => {
    expect((await fetch(`${base}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/console/..%2f..%2foutside-console.txt`)).status).toBe(404);
    expect((await fetch(`${base}/console/assets/..%2f..%2f..%2foutside-console.txt`)).status).toBe(404);
    expect((await fetch(`${base}/console/..%5c..%5coutside-console.txt`)).status).toBe(404);
    // Plain dots, sent raw (fetch would resolve them itself), are resolved by URL parsing before the
    // console sees the path: /console/../../x is /x, not the console's.
    expect(await rawStatus(base, '/console/../../outside-console.txt')).toBe(418);
    expect((await fetch(`${base}/console/%E0%A4%A`)).status).toBe(400);
    const post = await fetch(`${base}/console/`, { method: 'POST', body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${base}/consoles`)).status).toBe(418);
    expect((await fetch(`${base}/graphql`)).status).toBe(418);
  });

  it('says how to build it when it is not built', async () => {
    const serve = consoleStatic(join(dir, 'not-there'));
    const missing = createServer((req, res) => void serve(req, res, new URL(req.url ?? '/', 'http://localhost')));
    await new Promise<void>((ok) => missing.listen(0, '127.0.0.1', ok));
    const res = await fetch(`http://127.0.0.1:${(missing.address() as AddressInfo).port}/console/`);
    await new Promise((ok) => missing.close(ok));
    expect([res.status, await res.text()]).toEqual([404, 'The operator console is not built: run npm run build\n']);
  });

  it('the printed link carries the token in the fragment, which browsers never send', () => {
    const link = new URL(consoleLink('http://127.0.0.1:4000', 'aaa.bbb.ccc'));
    expect([link.pathname, link.search, link.hash]).toEqual(['/console/', '', '#token=aaa.bbb.ccc']);
  });
});

function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((ok, fail) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}
