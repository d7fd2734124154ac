import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import pino from 'pino';
import {
  ActivateOpenApiDocument,
  CreateDecisionRuleDocument,
  CreateDomainOrderDocument,
  CreateExternalSystemDocument,
  CreateFulfillmentRequestDocument,
  E2eOutboundRequestStateDocument,
} from '../__generated__/graphql';
import { loadConfig } from '../../src/config';
import { projectRoot } from '../../src/project-root';
import { startRuntime, type Runtime } from '../../src/runtime';
import { Role } from '../../src/services/auth/roles';
import { orderInput } from '../graphql/factories';
import { waitFor } from './e2e-kit';

const cli = join(projectRoot(), 'dist', 'src', 'rotate-key.js');

/** Runs `node dist/src/rotate-key.js` as `npm run rotate-key` does, with only the environment given. */
function rotateKey(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// `npm test` builds first (pretest), so this runs what `npm run rotate-key` runs.
(existsSync(cli) ? describe : describe.skip)('npm run rotate-key on the embedded database', () => {
  const oldKey = randomBytes(32).toString('hex');
  const newKey = randomBytes(32).toString('base64');
  let dataDir: string;
  let southbound: Server;
  let baseUrl: string;
  const received: IncomingHttpHeaders[] = [];
  let requestId: string;

  async function gateway(key: string, dispatch: boolean): Promise<Runtime> {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: 'rotate-key-test-secret-0123456789',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      ENCRYPTION_KEY: key,
      DISPATCH_ENABLED: String(dispatch),
      DISPATCH_SWEEP_INTERVAL_MS: '50',
    });
    return startRuntime(config, pino({ level: 'silent' }));
  }

  async function ok<R, V>(rt: Runtime, doc: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    const res = await fetch(`${rt.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${rt.services.tokens.issue('admin', [Role.ADMIN])}` },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    const body = (await res.json()) as { data: R; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'southgate-rotate-'));
    southbound = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'so-1', state: 'acknowledged' }));
      });
    });
    await new Promise<void>((ok) => southbound.listen(0, '127.0.0.1', ok));
    baseUrl = `http://127.0.0.1:${(southbound.address() as AddressInfo).port}/tmf-api/serviceOrdering/v4`;

    // A system with basic auth, sealed with the old key, and an order queued for it (no dispatcher yet).
    const rt = await gateway(oldKey, false);
    try {
      await ok(rt, ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
      const system = (
        await ok(rt, CreateExternalSystemDocument, {
          input: {
            name: 'Activation',
            api: 'SERVICE_ORDERING_TMF641',
            baseUrl,
            auth: { type: 'BASIC', username: 'gateway', password: 'pw-Very-Secret-1f9c2b' },
          },
        })
      ).createExternalSystem;
      await ok(rt, CreateDecisionRuleDocument, {
        input: { subject: 'DOMAIN_ORDER', name: 'all', priority: 1, hierarchical: true, externalSystemId: system.id },
      });
      const order = (await ok(rt, CreateDomainOrderDocument, { input: orderInput() })).createDomainOrder;
      requestId = (await ok(rt, CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest.outboundRequests[0]
        .id;
    } finally {
      await rt.stop();
    }
  });
  afterAll(() => {
    southbound.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says which variable is missing or malformed, and changes nothing', async () => {
    const none = await rotateKey({ DATA_DIR: dataDir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^ENCRYPTION_KEY and NEW_ENCRYPTION_KEY are not set\.\nUsage: ENCRYPTION_KEY=<current key> NEW_ENCRYPTION_KEY=<new key> npm run rotate-key/,
    );
    const one = await rotateKey({ DATA_DIR: dataDir, ENCRYPTION_KEY: oldKey });
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/^NEW_ENCRYPTION_KEY is not set\./);
    const bad = await rotateKey({ DATA_DIR: dataDir, ENCRYPTION_KEY: oldKey, NEW_ENCRYPTION_KEY: 'short' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('NEW_ENCRYPTION_KEY must be 32 bytes, written as 64 hex digits or base64.\n');
    const elsewhere = await rotateKey({ DATA_DIR: join(dataDir, 'nothing-here'), ENCRYPTION_KEY: oldKey, NEW_ENCRYPTION_KEY: newKey });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/^There is no embedded database under DATA_DIR=/);
  });

  it('with a wrong old key changes nothing and says so', async () => {
    const wrong = await rotateKey({ DATA_DIR: dataDir, ENCRYPTION_KEY: randomBytes(32).toString('hex'), NEW_ENCRYPTION_KEY: newKey });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      'ENCRYPTION_KEY is wrong. The old key opens none of the 1 stored secret(s): it is not the key they were sealed with. Nothing was changed.\n',
    );
    expect(wrong.stdout).toBe('');
  });

  it('re-seals the secrets, and the gateway started with the new key sends with them', async () => {
    // The key file an embedded database keeps when ENCRYPTION_KEY is not set follows the rotation.
    writeFileSync(join(dataDir, 'encryption.key'), oldKey, { mode: 0o600 });
    const done = await rotateKey({ DATA_DIR: dataDir, ENCRYPTION_KEY: oldKey, NEW_ENCRYPTION_KEY: newKey });
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(
      `Re-sealed 1 stored secret(s) with NEW_ENCRYPTION_KEY.\n${join(dataDir, 'encryption.key')} now holds the new key.\nStart the gateway with ENCRYPTION_KEY set to the new key.\n`,
    );
    expect(Buffer.from(readFileSync(join(dataDir, 'encryption.key'), 'utf8'), 'hex').equals(Buffer.from(newKey, 'base64'))).toBe(true);

    const rt = await gateway(newKey, true);
    try {
      const state = await waitFor(async () => {
        const r = (await ok(rt, E2eOutboundRequestStateDocument, { id: requestId })).outboundRequest!;
        return ['DELIVERED', 'ERROR'].includes(r.state) && r;
      }, 'the queued request to be sent');
      expect(state.state).toBe('DELIVERED');
      expect(received.map((h) => h.authorization)).toEqual([`Basic ${Buffer.from('gateway:pw-Very-Secret-1f9c2b').toString('base64')}`]);
    } finally {
      await rt.stop();
    }
  });
});
