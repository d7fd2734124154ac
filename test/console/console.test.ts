import jwt from 'jsonwebtoken';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seedDemo, type DemoRecords } from '../../src/demo/seed';
import { CONSOLE_DIR, consoleLink } from '../../src/http/console-static';
import { Role } from '../../src/services/auth/roles';
import { startSimulator, type Simulator } from '../../src/simulator';
import { CreateDomainOrderDocument, CreateFulfillmentRequestDocument, FalloutsWithRecordsDocument } from '../__generated__/graphql';
import { caseOrder, caseRule, orderingSystem, waitFor } from '../e2e/e2e-kit';
import { untilOrder } from '../e2e/inbound-kit';
import { startTestApp, type TestApp } from '../support/app';
import { chromiumMissing, launchChromium, newPage, problemsOf, screenshot } from './browser';

if (chromiumMissing) console.warn(`Skipping the console browser tests: ${chromiumMissing}`);
const describeInBrowser = chromiumMissing ? describe.skip : describe;

/**
 * The operator console in a real browser against a gateway with simulators, seeded as `npm run demo`
 * seeds (a completing tree, a failing order, one asking for information, a test-run tree).
 */
describeInBrowser('operator console in Chromium', () => {
  let app: TestApp;
  let sims: Simulator[] = [];
  let refusing: Simulator;
  let browser: Browser;
  let demo: DemoRecords;
  let admin: string;

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error(`The console is not built in ${CONSOLE_DIR}: run npm run build`);
    const [ordering, testing] = await Promise.all([startSimulator({ stepMs: 10, deliveryAttempts: 8 }), startSimulator({ stepMs: 10 })]);
    // Refuses the first order it gets (400), then accepts: an outbound fallout to retry.
    refusing = await startSimulator({
      stepMs: 5,
      faults: [{ match: { method: 'POST', path: '/serviceOrder' }, fault: 'status=400', count: 1 }],
    });
    sims = [ordering, testing, refusing];
    [app, browser] = await Promise.all([startTestApp(), launchChromium()]);
    admin = app.token([Role.ADMIN], 'Zoë Operator');
    demo = await seedDemo({ gatewayUrl: app.url, adminToken: admin, ordering, testing });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await Promise.all(sims.map((s) => s.close()));
  });

  async function signIn(token: string): Promise<Page> {
    const page = await newPage(browser);
    await page.goto(consoleLink(app.url, token));
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return page;
  }

  it('signs in with the printed link: the token leaves the address bar for session storage; the orders show, live', async () => {
    const page = await signIn(admin);
    expect(page.url()).toBe(`${app.url}/console/`);
    expect(await page.evaluate("sessionStorage.getItem('southgate.token')")).toBe(admin);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.getByText('Zoë Operator · ADMIN').waitFor();
    await page.locator(`tr[data-number="${demo.happyOrder.number}"]`).waitFor();
    // The whole seeded tree is listed under its root, with the failing order beside it.
    await page.locator(`tr[data-number="${demo.failingOrder.number}"] .fulfillment`).getByText('ERROR').waitFor();
    await page.locator(`tr[data-number="${demo.happyOrder.number}"] .fulfillment`).getByText('FULFILLED').waitFor();
    await screenshot(page, 'orders');
    // Reloading keeps the session (session storage), without the token in any URL.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Decision rules' }).waitFor();
    await screenshot(page, 'admin');
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('a bad token is refused in the words of the API', async () => {
    const page = await newPage(browser);
    await page.goto(`${app.url}/console/`);
    // A well-formed token signed with another secret.
    await page
      .getByLabel('Bearer token')
      .fill(jwt.sign({ roles: ['ADMIN'] }, 'another-secret-another-secret', { subject: 'x', expiresIn: '1h' }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
    await page.context().close();
  });

  it('an order submitted from its page reaches FULFILLED without a reload', async () => {
    const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('browser-submit', { name: 'Submitted from the console' }) }))
      .createDomainOrder;
    const page = await signIn(admin);
    await page.goto(`${app.url}/console/orders/${order.id}`);
    await page.getByTestId('fulfillment-state').getByText('NOT_REQUESTED').waitFor();
    // Page code as text: the tests are compiled without the DOM's types.
    await page.evaluate('window.stayed = true');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('dialog').getByText(`Create the outbound fulfillment request for ${order.number}?`).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('fulfillment-state').getByText('FULFILLED').waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.stayed')).toBe(true);
    // The delivered CREATE and the events that moved the order are on the same page.
    await page.getByRole('table', { name: 'Outbound requests' }).getByText('DELIVERED').waitFor();
    await page.getByRole('table', { name: 'Inbound messages' }).getByText('ServiceOrderStateChangeEvent').first().waitFor();
    await screenshot(page, 'order');
    await page.getByRole('table', { name: 'Outbound requests' }).getByRole('link').first().click();
    await page.getByRole('heading', { level: 1, name: /Outbound request/ }).waitFor();
    await page.getByLabel('Payload', { exact: true }).getByText('"serviceOrderItem"').waitFor();
    await screenshot(page, 'outbound-request');
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('a fallout retried from the queue leaves it, and its order goes on', async () => {
    const system = await orderingSystem(app, refusing, { name: 'Refusing activation' });
    await caseRule(app, system.id, 'browser-refused', { priority: 1 });
    const order = (await app.ok(CreateDomainOrderDocument, { input: caseOrder('browser-refused') })).createDomainOrder;
    await app.ok(CreateFulfillmentRequestDocument, { domainOrderId: order.id });
    const fallout = await waitFor(async () => {
      const open = (await app.ok(FalloutsWithRecordsDocument, { status: 'OPEN' })).fallouts.edges.map((e) => e.node);
      return open.find((f) => f.domainOrders.some((o) => o.id === order.id));
    }, 'the fallout of the refused order');

    const page = await signIn(admin);
    await page.getByRole('link', { name: 'Fallouts' }).click();
    const row = page.locator(`tr[data-fallout="${fallout.id}"]`);
    await row.getByRole('cell', { name: 'REMOTE_VALIDATION' }).waitFor();
    await screenshot(page, 'fallouts');
    await row.getByRole('button', { name: 'Retry' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/Want to retry outbound fulfillment request/).waitFor();
    await dialog.getByLabel('Note (optional)').fill('Validation fixed at the network side');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await row.waitFor({ state: 'detached' });
    const resolved = (await app.ok(FalloutsWithRecordsDocument, { status: 'RESOLVED' })).fallouts.edges.find(
      (e) => e.node.id === fallout.id,
    );
    expect(resolved?.node.resolution).toBe('Validation fixed at the network side');
    await untilOrder(app, order.id, (o) => o.outboundRequests.some((r) => r.state === 'DELIVERED'), 'the retried request delivered');
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('every control has a name, and a confirmation is worked with the keyboard alone', async () => {
    // Page code as text (no DOM types here): the controls without a label, aria-label or text.
    const unnamed = `[...document.querySelectorAll('main input, main select, main textarea, main button, header button')]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
      .map((e) => e.outerHTML)`;
    const page = await signIn(admin);
    for (const view of ['Orders', 'Test runs', 'Fallouts', 'Outbound requests', 'Inbound messages', 'Administration']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: view }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.getByRole('main').locator('table, p.muted, details').first().waitFor();
      expect([view, await page.evaluate(unnamed)]).toEqual([view, []]);
    }

    await page.getByRole('link', { name: 'Fallouts' }).click();
    const row = page.locator('tr[data-fallout]').filter({ hasText: 'INFORMATION_REQUIRED' }).first();
    await row.getByRole('button', { name: 'Resolve' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Resolution note').waitFor();
    await page.keyboard.type('not yet');
    expect(await dialog.getByLabel('Resolution note').inputValue()).toBe('not yet');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // Escape cancelled: the fallout is still in the queue.
    await row.getByRole('button', { name: 'Resolve' }).waitFor();
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('a VIEWER sees the records but no action buttons', async () => {
    const page = await signIn(app.token([Role.VIEWER], 'console-viewer'));
    await page.locator(`tr[data-number="${demo.questionOrder.number}"]`).waitFor();
    expect(await page.getByRole('link', { name: 'Administration' }).count()).toBe(0);

    await page.locator(`tr[data-number="${demo.questionOrder.number}"]`).getByRole('link').click();
    await page.getByText('The system asks for:').waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);

    await page.getByRole('link', { name: 'Fallouts' }).click();
    await page.getByRole('table', { name: 'Fallouts' }).getByText('INFORMATION_REQUIRED').first().waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);

    await page.getByRole('link', { name: 'Test runs' }).click();
    await page.locator(`tr[data-number="${demo.testRun.number}"]`).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Test run ${demo.testRun.number}` }).waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('a TEST_MANAGER gets the test-run actions and none on orders', async () => {
    const page = await signIn(app.token([Role.TEST_MANAGER], 'console-tester'));
    await page.goto(`${app.url}/console/orders/${demo.happyOrder.id}`);
    await page.getByRole('heading', { level: 1, name: `Domain order ${demo.happyOrder.number}` }).waitFor();
    expect(await page.getByRole('group', { name: 'Actions' }).count()).toBe(0);
    await page.goto(`${app.url}/console/test-runs/${demo.testRun.id}`);
    const actions = page.getByRole('group', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Refresh from system' }).waitFor();
    await actions.getByRole('button', { name: `Revise ${demo.testRun.number}…` }).waitFor();
    // The run is FULFILLED: nothing to submit or cancel any more.
    expect(await actions.getByRole('button', { name: /Submit|Cancel/ }).count()).toBe(0);
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });

  it('an order the network asks about: revised on its page, the revision shared after "Want to revise…?", it completes', async () => {
    const page = await signIn(admin);
    await page.goto(`${app.url}/console/orders/${demo.questionOrder.id}`);
    // (After the VIEWER's test, which finds the question still open.)
    await page.getByText('serviceCharacteristic.bandwidth', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Revise ${demo.questionOrder.number}…` }).click();
    const form = page.getByRole('form', { name: `Revise ${demo.questionOrder.number}` });
    const text = form.getByLabel('Characteristics (one name=value a line)');
    await text.fill((await text.inputValue()).replace('bandwidth=1G', 'bandwidth=10G'));
    await form.getByRole('button', { name: 'Save revision' }).click();
    await page.getByRole('button', { name: 'Revise outbound request' }).click();
    await page.getByRole('dialog').getByText(`Want to revise outbound fulfillment request for ${demo.questionOrder.number}?`).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('fulfillment-state').getByText('FULFILLED').waitFor({ timeout: 15_000 });
    await page.getByText('Nothing asked.').waitFor();
    await page.getByRole('table', { name: 'Outbound requests' }).getByRole('cell', { name: 'REVISE' }).waitFor();
    const order = await untilOrder(app, demo.questionOrder.id, (o) => o.fulfillmentState === 'FULFILLED', 'the answered order FULFILLED');
    expect(order.informationRequired).toBeNull();
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  });
});
