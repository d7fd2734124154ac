import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayBuilt, gatewayMain as main, waitForOutput } from '../support/gateway-process';

// `npm test` builds first (pretest), so this runs what `npm start` runs.
(gatewayBuilt ? describe : describe.skip)('the server process (npm start)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'southgate-process-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on the embedded database, prints an admin token that works, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const out = await waitForOutput(child, /Admin token: (\S+)/);
      const token = /Admin token: (\S+)/.exec(out)![1];
      const url = /GraphQL:\s+(\S+)/.exec(out)![1];
      expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
      const base = url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ openApis { api active } }' }),
      });
      expect(await res.json()).toEqual({
        data: {
          openApis: [
            { api: 'SERVICE_ORDERING_TMF641', active: false },
            { api: 'SERVICE_TEST_TMF653', active: false },
          ],
        },
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('logs an uncaught exception as fatal before it exits, and says its heap limit at start', async () => {
    // A fault planted in the process: SIGUSR2 makes it throw outside any request.
    const fault = join(dataDir, 'fault.js');
    writeFileSync(fault, `process.on('SIGUSR2', () => setImmediate(() => { throw new Error('boom from the test'); }));\n`);
    const child = spawn(process.execPath, ['-r', fault, main], {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: join(dataDir, 'fatal'),
        JWT_SECRET: 'a-secret-of-this-test-run',
        LOG_LEVEL: 'info',
        NODE_OPTIONS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const started = await waitForOutput(child, /"msg":"Southgate is ready"/);
      expect(started).toMatch(/"heapLimitMiB":\d+/);
      const died = waitForOutput(child, /the process exits/);
      child.kill('SIGUSR2');
      const out = await died;
      expect(await exited).toBe(1);
      const fatal = out.split('\n').find((l) => l.includes('the process exits'))!;
      expect(JSON.parse(fatal)).toMatchObject({
        level: 60,
        msg: 'uncaught exception: the process exits',
        err: { message: 'boom from the test' },
      });
      expect(out).not.toContain('a-secret-of-this-test-run');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to start with invalid configuration, naming every problem', async () => {
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: 'eighty', JWT_SECRET: 'short', DATA_DIR: dataDir, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const out = await waitForOutput(child, /JWT_SECRET/);
    expect(await exited).toBe(2);
    expect(out).toContain('PORT must be a whole number');
    expect(out).toContain('JWT_SECRET must be at least 16 characters');
  });
});
