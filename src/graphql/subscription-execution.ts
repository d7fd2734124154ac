import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { AuthUser } from '../services/auth/roles';
import { RequestContext } from '../services/context/request-context';

/**
 * What the selection of a subscription may read of its subscriber: `key` names it (subscribers with the
 * same key get the same result), `context` makes a context that holds nothing else.
 */
export interface ExecutionScope {
  readonly key: string;
  context(): unknown;
}

/**
 * The scope of a subscriber's RequestContext: its roles. The selection's resolvers read rows through the
 * loaders, the same for every caller; an answer that depended on who asks would depend on the roles (as
 * the operations' @Authorized does), and a context made of the roles alone cannot give away more. Null
 * (no user): nothing is shared.
 */
export function rolesScope(contextValue: unknown): ExecutionScope | null {
  if (!(contextValue instanceof RequestContext) || !contextValue.user) return null;
  const roles = [...new Set(contextValue.user.roles)].sort();
  const { dataSource } = contextValue;
  return { key: roles.join(','), context: () => new RequestContext(dataSource, rolesOnly(roles), null, null) };
}

/**
 * A user that is only its roles: a resolver of a shared execution that asked for an id would get the
 * first subscriber's, so it is refused, loudly, until the id is made part of the scope's key.
 */
function rolesOnly(roles: AuthUser['roles']): AuthUser {
  return Object.freeze({
    roles,
    get id(): string {
      throw new Error("A subscription's selection is executed once for every subscriber of the same roles: it cannot read the user's id");
    },
  });
}

type EventResults = Map<string, Promise<ExecutionResult>>;

/**
 * graphql-ws's `subscribe`, as graphql-js's (the subscription's own resolver subscribes, with the
 * subscriber's arguments and context: authorisation and filters stay per subscriber) except in one
 * thing: an event that reaches many subscribers of the same operation (document, operation name and
 * variables) and scope is executed once, and each of them is handed the same result. Without it, 1,000
 * consoles watching every change executed the same selection 1,000 times per event.
 *
 * An event is one object handed to every subscription it reaches (the EventBus does so): results are
 * kept per event object, in a WeakMap, for as long as a subscriber still has the event to take, so a
 * subscriber that lags behind (its socket slow) gets the result the others got.
 */
export function sharedSubscribe(scopeOf: (contextValue: unknown) => ExecutionScope | null) {
  const results = new WeakMap<object, EventResults>();
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const events = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in events)) return events;
    const scope = scopeOf(args.contextValue);
    const key = scope ? operationKey(args, scope.key) : null;
    const executeOnce = (event: unknown): Promise<ExecutionResult> => {
      if (!scope || key === null || typeof event !== 'object' || event === null) return run({ ...args, rootValue: event });
      let byOperation = results.get(event);
      if (!byOperation) results.set(event, (byOperation = new Map<string, Promise<ExecutionResult>>()));
      let result = byOperation.get(key);
      if (!result) byOperation.set(key, (result = run({ ...args, rootValue: event, contextValue: scope.context() })));
      return result;
    };
    return mapEvents(events, executeOnce);
  };
}

/** The operation as it executes: its text, name and variables as the subscriber sent them, and the scope. */
function operationKey(args: ExecutionArgs, scopeKey: string): string {
  const text = args.document.loc?.source.body ?? print(args.document);
  return JSON.stringify([text, args.operationName ?? null, args.variableValues ?? null, scopeKey]);
}

/** execute() as a promise (a throw included, which ends only the subscription it reaches). */
async function run(args: ExecutionArgs): Promise<ExecutionResult> {
  return execute(args);
}

/**
 * The events mapped to their results. return() reaches the source at once (an async generator's would
 * wait for the next event first, keeping a closed subscription's listener until then); a failed
 * mapping ends the source, as graphql-js's own mapping does.
 */
function mapEvents(
  events: AsyncIterable<unknown>,
  map: (event: unknown) => Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  const source = events[Symbol.asyncIterator]();
  const close = async () => {
    await source.return?.().catch(() => undefined);
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      const step = await source.next();
      if (step.done) return { value: undefined, done: true };
      try {
        return { value: await map(step.value), done: false };
      } catch (err) {
        await close();
        throw err;
      }
    },
    return: async () => {
      await close();
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
