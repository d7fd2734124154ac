import { GraphQLBoolean, GraphQLID, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import type { DataSource } from 'typeorm';
import { rolesScope, sharedSubscribe } from '../../src/graphql/subscription-execution';
import { Role } from '../../src/services/auth/roles';
import { RequestContext } from '../../src/services/context/request-context';
import type { EventBroker } from '../../src/services/events/event-broker';
import { EventBus } from '../../src/services/events/event-bus';
import { TOPICS, type FalloutChangedEvent } from '../../src/services/events/fulfillment.events';

/**
 * The shared execution of subscription events (src/graphql/subscription-execution.ts) over a schema of
 * its own whose resolvers read what the gateway's do not (yet): the caller's roles and id.
 */
describe('sharedSubscribe', () => {
  let executions: number;
  let deliver: (raw: string) => void;
  let bus: EventBus;

  const Change = new GraphQLObjectType<FalloutChangedEvent, RequestContext>({
    name: 'Change',
    fields: {
      id: { type: GraphQLID },
      roles: { type: GraphQLString, resolve: (_event, _args, ctx) => ctx.user!.roles.join(',') },
      who: { type: GraphQLString, resolve: (_event, _args, ctx) => ctx.user!.id },
      label: {
        type: GraphQLString,
        args: { prefix: { type: GraphQLString } },
        resolve: (e, args: { prefix?: string }) => `${args.prefix ?? ''}${e.id}`,
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType<unknown, RequestContext>({
      name: 'Subscription',
      fields: {
        falloutChanged: {
          type: Change,
          args: { category: { type: GraphQLString } },
          subscribe: (_root, args: { category?: string }, ctx) =>
            ctx.bus!.subscribe(TOPICS.FALLOUT_CHANGED, (e) => !args.category || (e as { category: string }).category === args.category),
          resolve: (event) => {
            executions++;
            return event;
          },
        },
      },
    }),
  });
  const subscribe = sharedSubscribe(rolesScope);
  const dataSource = { manager: {} } as DataSource;

  beforeEach(async () => {
    executions = 0;
    const broker: EventBroker = {
      databaseChannel: 'test',
      connected: true,
      start: (d) => Promise.resolve(void (deliver = d)),
      publish: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    bus = new EventBus(broker);
    await bus.start();
  });

  /** One subscriber: its operation, variables and user; returns the stream of its results. */
  async function subscriber(query: string, user: { id: string; roles: Role[] } | null, variableValues?: Record<string, unknown>) {
    const stream = await subscribe({
      schema,
      document: parse(query),
      variableValues,
      contextValue: new RequestContext(dataSource, user, null, bus),
    });
    if (!(Symbol.asyncIterator in stream)) throw new Error(`not subscribed: ${JSON.stringify(stream)}`);
    return stream;
  }

  /** Events as the broker hands them over: one JSON array, parsed once for every subscriber. */
  const publish = (...ids: string[]) =>
    deliver(
      JSON.stringify(
        ids.map((id) => ({
          topic: TOPICS.FALLOUT_CHANGED,
          payload: { id, status: 'OPEN', category: id.startsWith('D') ? 'DATA' : 'TECHNICAL', source: 'OUTBOUND', occurredAt: '' },
        })),
      ),
    );
  const next = async (s: AsyncIterableIterator<ExecutionResult>) => (await s.next()).value as ExecutionResult;

  const ROLES_OF = 'subscription { falloutChanged { id roles } }';

  it('executes an event once for subscribers of the same operation and roles, and hands each the same result', async () => {
    const viewers = [];
    for (const id of ['v1', 'v2', 'v3']) viewers.push(await subscriber(ROLES_OF, { id, roles: [Role.VIEWER] }));
    publish('F1');
    const results = await Promise.all(viewers.map(next));
    expect(results[0]).toEqual({ data: { falloutChanged: { id: 'F1', roles: 'VIEWER' } } });
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    expect(executions).toBe(1);
  });

  it('gives subscribers of other roles, variables or documents their own execution and answer', async () => {
    const viewer = await subscriber(ROLES_OF, { id: 'v1', roles: [Role.VIEWER] });
    // The same roles in another order are the same scope.
    const both = await subscriber(ROLES_OF, { id: 'm1', roles: [Role.TEST_MANAGER, Role.VIEWER] });
    const bothAgain = await subscriber(ROLES_OF, { id: 'm2', roles: [Role.VIEWER, Role.TEST_MANAGER] });
    const admin = await subscriber(ROLES_OF, { id: 'a1', roles: [Role.ADMIN] });
    const LABEL = 'subscription ($prefix: String) { falloutChanged { label(prefix: $prefix) } }';
    const dash = await subscriber(LABEL, { id: 'v2', roles: [Role.VIEWER] }, { prefix: '-' });
    const plus = await subscriber(LABEL, { id: 'v3', roles: [Role.VIEWER] }, { prefix: '+' });
    const other = await subscriber('subscription { falloutChanged { id } }', { id: 'v4', roles: [Role.VIEWER] });

    publish('F2');
    expect(await next(viewer)).toEqual({ data: { falloutChanged: { id: 'F2', roles: 'VIEWER' } } });
    const mixed = await next(both);
    expect(mixed).toEqual({ data: { falloutChanged: { id: 'F2', roles: 'TEST_MANAGER,VIEWER' } } });
    expect(await next(bothAgain)).toBe(mixed);
    expect(await next(admin)).toEqual({ data: { falloutChanged: { id: 'F2', roles: 'ADMIN' } } });
    expect(await next(dash)).toEqual({ data: { falloutChanged: { label: '-F2' } } });
    expect(await next(plus)).toEqual({ data: { falloutChanged: { label: '+F2' } } });
    expect(await next(other)).toEqual({ data: { falloutChanged: { id: 'F2' } } });
    expect(executions).toBe(6);
  });

  it("keeps filters per subscriber, and a subscriber that takes the event later gets the others' result", async () => {
    const QUERY = 'subscription ($category: String) { falloutChanged(category: $category) { id } }';
    const early = await subscriber(QUERY, { id: 'v1', roles: [Role.VIEWER] });
    const late = await subscriber(QUERY, { id: 'v2', roles: [Role.VIEWER] });
    const filtered = await subscriber(QUERY, { id: 'v3', roles: [Role.VIEWER] }, { category: 'DATA' });
    publish('F3', 'F4');
    const first = await next(early);
    const second = await next(early);
    expect([first, second]).toEqual([{ data: { falloutChanged: { id: 'F3' } } }, { data: { falloutChanged: { id: 'F4' } } }]);
    expect(await next(late)).toBe(first);
    expect(await next(late)).toBe(second);
    expect(executions).toBe(2);
    // An event with the same content is another event: executed again.
    publish('F3');
    const again = await next(late);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(executions).toBe(3);
    // The filtered subscriber saw none of those; its first event is the first of its category.
    publish('D1');
    expect(await next(filtered)).toEqual({ data: { falloutChanged: { id: 'D1' } } });
  });

  it("refuses a resolver that reads the user's id, which the scope does not share", async () => {
    const s = await subscriber('subscription { falloutChanged { id who } }', { id: 'v1', roles: [Role.VIEWER] });
    publish('F5');
    const result = await next(s);
    expect(result.data).toEqual({ falloutChanged: { id: 'F5', who: null } });
    expect(result.errors?.map((e) => e.message)).toEqual([
      "A subscription's selection is executed once for every subscriber of the same roles: it cannot read the user's id",
    ]);
  });

  it('ends the subscription on the bus at once when a waiting subscriber goes away', async () => {
    const s = await subscriber(ROLES_OF, { id: 'v1', roles: [Role.VIEWER] });
    expect(bus.subscriberCount).toBe(1);
    const pending = s.next();
    await s.return!();
    expect(bus.subscriberCount).toBe(0);
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('answers a subscription its own resolver could not open with that error, as graphql-js does', async () => {
    const refused = await subscribe({
      schema,
      document: parse(ROLES_OF),
      contextValue: new RequestContext(dataSource, { id: 'v1', roles: [Role.VIEWER] }, null, null),
    });
    expect(Symbol.asyncIterator in refused).toBe(false);
    expect((refused as ExecutionResult).errors?.length).toBe(1);
  });
});
