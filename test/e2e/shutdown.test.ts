import { OpenApisDocument } from '../__generated__/graphql';
import { Role } from '../../src/services/auth/roles';
import { startTestApp, type TestApp } from '../support/app';

describe('graceful shutdown', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { DISPATCH_ENABLED: 'false' } });
  });
  afterAll(() => app.close());

  it('closes subscriptions and stops accepting requests', async () => {
    const token = app.token([Role.VIEWER]);
    expect((await app.ok(OpenApisDocument, undefined, token)).openApis).toHaveLength(2);
    const client = app.wsClient(token);
    const closed = new Promise<number>((resolve) => client.on('closed', (e) => resolve((e as { code: number }).code)));
    const events: unknown[] = [];
    const ended = new Promise<void>((resolve) =>
      client.subscribe(
        { query: 'subscription { outboundRequestChanged { id state } }' },
        { next: (v) => events.push(v), error: () => resolve(), complete: () => resolve() },
      ),
    );
    await new Promise((r) => setTimeout(r, 100)); // let the subscription reach the server
    await app.runtime.stop();
    await ended;
    expect(await closed).toBeGreaterThanOrEqual(1000);
    expect(events).toEqual([]);
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
  });
});
