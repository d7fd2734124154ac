import { startSimulator, type Simulator } from '../../src/simulator';
import { ActivateOpenApiDocument, CreateDomainOrderDocument, CreateFulfillmentRequestDocument } from '../__generated__/graphql';
import { startTestApp, type TestApp } from '../support/app';
import { caseOrder, caseRule, waitForState } from './e2e-kit';
import { callback, callingBackSystem, inboundMessages, orderEvent, orderReport } from './inbound-kit';

/**
 * Everything a callback can get wrong, answered with a TMF Error and the status that says what; from an
 * unauthenticated caller nothing is stored, from the system the refused message is kept (REJECTED) and
 * nothing else changes.
 */
describe('E2E: callbacks that are refused', () => {
  let app: TestApp;
  let sim: Simulator;
  let systemId: string;
  let token: string;
  let order: { id: string; number: string };
  let externalId: string;

  beforeAll(async () => {
    sim = await startSimulator({ stepMs: 600_000, notify: 'none' });
    app = await startTestApp();
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    ({
      system: { id: systemId },
      token,
    } = await callingBackSystem(app, sim, 'orders', { notify: 'none' }));
    await caseRule(app, systemId, 'refusals');
    order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('refusals') })).createDomainOrder;
    const [request] = (await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id })).createFulfillmentRequest
      .outboundRequests;
    externalId = (await waitForState(app, request.id, 'DELIVERED')).externalId!;
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  const stateChange = (state: string, id = externalId) => orderEvent('ServiceOrderStateChangeEvent', { id, state });
  const listener = (name = 'serviceOrderStateChangeEvent') => `${systemId}/listener/${name}`;
  const stored = async () => (await inboundMessages(app, { externalSystemId: systemId })).edges.map((e) => e.node);
  const untouched = async () => {
    const o = await orderReport(app, order.id);
    expect([o.fulfillmentState, o.externalState]).toEqual(['PENDING', 'acknowledged']);
  };

  it('no token, a wrong token, an unknown system: 401 / 404, a TMF Error, and nothing stored', async () => {
    const before = (await stored()).length;
    const none = await callback(app, listener(), stateChange('completed'));
    const wrong = await callback(app, listener(), stateChange('completed'), { token: 'not-the-token-at-all-xx' });
    const unknown = await callback(
      app,
      `0b0e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b/listener/serviceOrderStateChangeEvent`,
      stateChange('completed'),
      { token },
    );
    const notAnId = await callback(app, `not-a-uuid/listener/serviceOrderStateChangeEvent`, stateChange('completed'), { token });
    expect([none.status, wrong.status, unknown.status, notAnId.status]).toEqual([401, 401, 404, 404]);
    expect(none.body).toEqual({ code: 'UNAUTHORIZED', reason: 'Unauthorized', message: expect.stringContaining('Bearer'), status: '401' });
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND', status: '404' });
    expect(JSON.stringify([none.body, wrong.body])).not.toContain(token);
    expect((await stored()).length).toBe(before);
    await untouched();
  });

  it.each([
    [
      'an unknown event name',
      () => callback(app, listener('serviceOrderExplodedEvent'), stateChange('completed'), { token }),
      404,
      /not an event of SERVICE_ORDERING_TMF641/,
    ],
    [
      'a resource this system was never sent',
      () => callback(app, listener(), stateChange('completed', 'SO-nobody'), { token }),
      404,
      /never sent a serviceOrder with id SO-nobody/,
    ],
    ['a body that is not JSON', () => callback(app, listener(), null, { token, raw: '{"eventId": ' }), 400, /not valid JSON/],
    ['JSON that is not an object', () => callback(app, listener(), [1, 2], { token }), 400, /must be a JSON object/],
    [
      'an event without its resource',
      () => callback(app, listener(), { eventId: 'e-empty', event: {} }, { token }),
      400,
      /carries no event.serviceOrder/,
    ],
    [
      'a body nested a thousand deep',
      () => callback(app, listener(), null, { token, raw: `{"deep":${'['.repeat(1000)}${']'.repeat(1000)}}` }),
      400,
      /nests deeper than 64/,
    ],
    [
      'the wrong content type',
      () => callback(app, listener(), stateChange('completed'), { token, contentType: 'text/plain' }),
      415,
      /application\/json/,
    ],
    ['a body over 1 MiB', () => callback(app, listener(), { pad: 'x'.repeat(1024 * 1024) }, { token }), 413, /at most 1048576 bytes/],
    ['the wrong method', () => callback(app, listener(), stateChange('completed'), { token, method: 'PUT' }), 405, /Use POST/],
    ['an unknown route', () => callback(app, `${systemId}/nowhere`, {}, { token }), 404, /No callback route/],
  ])('%s: answered with its status and a TMF Error, kept as REJECTED, nothing changed', async (_what, send, status, message) => {
    const before = (await stored()).length;
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status: String(status), message: expect.stringMatching(message) });
    const after = await stored();
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({
      outcome: 'REJECTED',
      responseStatus: status,
      channel: expect.any(String),
      reason: expect.stringMatching(message),
    });
    await untouched();
  });

  it('a TMF653 event name posted to a TMF641 system is an unknown event', async () => {
    const res = await callback(
      app,
      listener('serviceTestStateChangeEvent'),
      { event: { serviceTest: { id: 'x', state: 'completed' } } },
      { token },
    );
    expect(res.status).toBe(404);
    await untouched();
  });

  it('the same event twice: applied once, the second acknowledged as DUPLICATE; the lenient spellings are read', async () => {
    const event = {
      EventId: 'evt-lenient-1',
      timeOccurred: new Date().toISOString(),
      EventType: 'ServiceOrderStateChangeEvent',
      Event: { ServiceOrder: { id: externalId, state: 'INPROGRESS' } },
    };
    const first = await callback(app, listener(), event, { token });
    const second = await callback(app, listener(), event, { token });
    expect([first.status, first.body.outcome, second.status, second.body.outcome]).toEqual([201, 'APPLIED', 201, 'DUPLICATE']);
    const o = await orderReport(app, order.id);
    expect([o.fulfillmentState, o.externalState]).toEqual(['PENDING', 'inProgress']);
    const [dup, applied] = await stored();
    expect([dup.eventId, dup.outcome, applied.eventId, applied.outcome, applied.eventType]).toEqual([
      'evt-lenient-1',
      'DUPLICATE',
      'evt-lenient-1',
      'APPLIED',
      'ServiceOrderStateChangeEvent',
    ]);
    expect(dup.reason).toContain(applied.id);
    // An older event (eventTime before the last applied) moves nothing.
    const old = await callback(app, listener(), { ...stateChange('acknowledged'), eventTime: '2020-01-01T00:00:00Z' }, { token });
    expect([old.status, old.body.outcome]).toEqual([201, 'STALE']);
    expect((await orderReport(app, order.id)).externalState).toBe('inProgress');
  });

  it('two events for the same order at the same moment: both applied, one after the other, none lost', async () => {
    // The same eventTime: whichever commits second is not older than the first, so both apply.
    const eventTime = new Date().toISOString();
    const a = orderEvent(
      'ServiceOrderMilestoneEvent',
      { id: externalId, milestone: [{ id: 'c1', name: 'survey', milestoneDate: eventTime }] },
      { eventTime },
    );
    const b = orderEvent(
      'ServiceOrderMilestoneEvent',
      { id: externalId, milestone: [{ id: 'c2', name: 'install', milestoneDate: eventTime }] },
      { eventTime },
    );
    const answers = await Promise.all([
      callback(app, listener('serviceOrderMilestoneEvent'), a, { token }),
      callback(app, listener('serviceOrderMilestoneEvent'), b, { token }),
    ]);
    expect(answers.map((r) => [r.status, r.body.outcome])).toEqual([
      [201, 'APPLIED'],
      [201, 'APPLIED'],
    ]);
    const milestones = (await orderReport(app, order.id)).milestones.map((m) => m.id).sort();
    expect(milestones).toEqual(['c1', 'c2']);
  });

  it('five copies of one event at the same moment: one applied, four DUPLICATEs of it, the order changed once', async () => {
    const eventTime = new Date().toISOString();
    const event = orderEvent(
      'ServiceOrderMilestoneEvent',
      { id: externalId, milestone: [{ id: 'copied', name: 'copied', milestoneDate: eventTime }] },
      { eventTime },
    );
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => callback(app, listener('serviceOrderMilestoneEvent'), event, { token })),
    );
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(answers.map((r) => r.body.outcome as string).sort()).toEqual(['APPLIED', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE']);
    const copies = (await stored()).filter((m) => m.eventId === event.eventId);
    const applied = copies.find((m) => m.outcome === 'APPLIED')!;
    expect(copies).toHaveLength(5);
    for (const d of copies.filter((m) => m !== applied)) expect(d.reason).toContain(applied.id);
    expect((await orderReport(app, order.id)).milestones.filter((m) => m.id === 'copied')).toHaveLength(1);
  });
});
