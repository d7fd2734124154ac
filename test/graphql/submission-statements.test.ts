import {
  ActivateOpenApiDocument,
  CreateDomainOrderDocument,
  CreateFulfillmentRequestDocument,
  DeactivateOpenApiDocument,
  OutboundRequestDocument,
  UpdateDecisionRuleDocument,
} from '../__generated__/graphql';
import { code, startTestApp, type TestApp } from '../support/app';
import { createRule, createSystem, orderTreeInput } from './factories';
import { StatementLog } from '../support/statement-log';
import { usingPostgres } from '../support/database';

describe('a submission in SQL statements', () => {
  let app: TestApp;
  const log = new StatementLog();
  let system: { id: string };
  let rule: { id: string; name: string };

  beforeAll(async () => {
    // No dispatcher: nothing but the submission talks to the database.
    app = await startTestApp({ sqlLogger: log, env: { DISPATCH_ENABLED: 'false' } });
    await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    system = await createSystem(app);
    rule = await createRule(app, system.id, { hierarchical: true });
  });
  afterAll(() => app.close());

  const createTree = async () => (await app.ok(CreateDomainOrderDocument, { input: orderTreeInput(1, 2) })).createDomainOrder;

  /** The statements of the submission's transaction, BEGIN and COMMIT included. */
  async function submitCounted(domainOrderId: string) {
    log.statements = [];
    const res = await app.gql(CreateFulfillmentRequestDocument, { domainOrderId });
    const begin = log.statements.findIndex((s) => s.startsWith('START TRANSACTION'));
    const end = log.statements.findIndex((s) => s === 'COMMIT' || s === 'ROLLBACK');
    return { res, statements: log.statements.slice(begin, end + 1) };
  }

  it(`is ${usingPostgres ? 6 : 7} statements, fewer than the same transaction in plain SQL (8), with every generated column in the answer`, async () => {
    const root = await createTree();
    const { res, statements } = await submitCounted(root.id);
    // BEGIN, the locked tree (with the Open API check), the rules (with their systems), the request with
    // its links, the records' UPDATE, the events' NOTIFY, COMMIT: no read-back of what was just inserted.
    // On PostgreSQL the NOTIFY goes in one message with the COMMIT (the log shows the COMMIT alone).
    expect(statements).toHaveLength(usingPostgres ? 6 : 7);
    expect(statements.filter((s) => s.includes('pg_notify'))).toHaveLength(usingPostgres ? 0 : 1);
    expect(statements[3]).toMatch(/^WITH alongside AS \(INSERT INTO outbound_request_domain_order .*\) INSERT INTO outbound_request /s);
    expect(statements.at(-1)).toBe('COMMIT');
    const [request] = res.data!.createFulfillmentRequest.outboundRequests;
    expect(request).toMatchObject({
      number: expect.stringMatching(/^FO\d{7}$/),
      state: 'QUEUED',
      attempts: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      deliveredAt: null,
      externalId: null,
      responseStatus: null,
      error: null,
      externalSystem: { id: system.id },
    });
    expect(request.domainOrders.map((o) => o.fulfillmentState)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    // What the answer says is what was stored and generated: a later read of the request says the same.
    const { outboundRequest: stored } = await app.ok(OutboundRequestDocument, { id: request.id });
    expect(stored).toEqual(request);
  });

  it('sees the Open API deactivated, and a rule edited, on the very next submission', async () => {
    await app.ok(DeactivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    try {
      expect(code((await submitCounted((await createTree()).id)).res)).toBe('API_NOT_ACTIVE');
      // The inactive API is named before a missing record, as before the check joined the record's read.
      expect(code((await submitCounted('00000000-0000-4000-8000-000000000000')).res)).toBe('API_NOT_ACTIVE');
      expect(code((await submitCounted('not-a-uuid')).res)).toBe('API_NOT_ACTIVE');
    } finally {
      await app.ok(ActivateOpenApiDocument, { api: 'SERVICE_ORDERING_TMF641' });
    }
    expect(code((await submitCounted('00000000-0000-4000-8000-000000000000')).res)).toBe('NOT_FOUND');

    const input = { subject: 'DOMAIN_ORDER' as const, name: rule.name, priority: 100, externalSystemId: system.id };
    await app.ok(UpdateDecisionRuleDocument, { id: rule.id, input: { ...input, hierarchical: false } });
    try {
      const { res } = await submitCounted((await createTree()).id);
      expect(res.data!.createFulfillmentRequest).toMatchObject({ hierarchical: false, rule: { id: rule.id } });
      expect(res.data!.createFulfillmentRequest.outboundRequests[0].domainOrders).toHaveLength(1);
      await app.ok(UpdateDecisionRuleDocument, { id: rule.id, input: { ...input, hierarchical: true, active: false } });
      expect(code((await submitCounted((await createTree()).id)).res)).toBe('NO_MATCHING_RULE');
    } finally {
      await app.ok(UpdateDecisionRuleDocument, { id: rule.id, input: { ...input, hierarchical: true } });
    }
  });
});
