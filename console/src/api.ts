import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

/** An answer with errors: the message is the API's own words, with each error's code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly codes: string[],
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphQLAnswer<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const printed = new WeakMap<object, string>();
function text(doc: TypedDocumentNode<unknown, unknown>): string {
  let query = printed.get(doc);
  if (query === undefined) printed.set(doc, (query = print(doc)));
  return query;
}

/** Runs one operation over HTTP with the bearer token; any GraphQL error becomes an ApiError. */
export async function request<R, V>(token: string, doc: TypedDocumentNode<R, V>, variables?: V): Promise<R> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: text(doc as TypedDocumentNode<unknown, unknown>), variables }),
    });
  } catch (err) {
    throw new ApiError(`The gateway cannot be reached: ${err instanceof Error ? err.message : String(err)}`, ['NETWORK'], 0);
  }
  let answer: GraphQLAnswer<R>;
  try {
    answer = (await res.json()) as GraphQLAnswer<R>;
  } catch {
    throw new ApiError(`The gateway answered HTTP ${res.status} without a GraphQL body`, ['HTTP'], res.status);
  }
  if (answer.errors?.length) {
    const codes = answer.errors.map((e) => e.extensions?.code ?? 'ERROR');
    throw new ApiError(answer.errors.map((e, i) => `${e.message} (${codes[i]})`).join('\n'), codes, res.status);
  }
  if (!answer.data) throw new ApiError(`The gateway answered HTTP ${res.status} without data`, ['HTTP'], res.status);
  return answer.data;
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

/** The subscriptions' socket: graphql-ws on /graphql with the token in connection_init, reconnecting. */
export function liveClient(token: string, onStatus: (status: LiveStatus, reason?: string) => void): Client {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  return createClient({
    url,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: Infinity,
    // A refused token (4403) will not get better by retrying.
    shouldRetry: (event) => !(event instanceof CloseEvent && event.code === 4403),
    on: {
      connecting: () => onStatus('connecting'),
      connected: () => onStatus('live'),
      closed: (event) => onStatus('offline', event instanceof CloseEvent && event.reason ? event.reason : undefined),
    },
    onNonLazyError: () => undefined,
  });
}

/** Subscribes to one operation; returns the unsubscribe function. */
export function subscribe<R>(client: Client, doc: TypedDocumentNode<R, Record<string, never>>, next: (data: R) => void): () => void {
  return client.subscribe<R>(
    { query: text(doc as TypedDocumentNode<unknown, unknown>) },
    { next: (value) => value.data && next(value.data), error: () => undefined, complete: () => undefined },
  );
}
