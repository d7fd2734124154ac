import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GraphQLConfig } from './config';
import type { Services } from './container';
import { createFormatError } from './graphql/format-error';
import { documentLimitRules, limitsPlugin, parseOptions, prepareOperation } from './graphql/limits';
import { consoleStatic } from './http/console-static';
import type { AuthUser } from './services/auth/roles';
import { DomainError } from './services/common/domain.errors';
import { RequestContext } from './services/context/request-context';
import { MAX_CALLBACK_BODY } from './services/inbound/callback-handler';

/** GraphQL requests larger than this are refused (a 10,000-record tree fits comfortably). */
const MAX_GRAPHQL_BODY = 16 * 1024 * 1024;

export interface HttpApp {
  server: Server;
  /** Graceful stop; connections still busy after graceMs are cut. */
  stop(graceMs?: number): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export class BodyTooLargeError extends Error {}

/** Reads a request body up to `limit` bytes; past it, throws BodyTooLargeError without buffering the rest. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Longest delay setTimeout takes; tokens may live longer (JWT_MAX_TTL up to 30 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Closes a graphql-ws connection with 4403 Forbidden when its token expires: it lives no longer than its token. */
function closeAtExpiry(socket: WebSocket, expiresAt: number): void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return socket.close(4403, 'Forbidden: the token has expired');
    timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
  };
  check();
  socket.once('close', () => clearTimeout(timer));
}

/** A browser opening /graphql: Apollo's landing page (a static page; it runs nothing by itself). */
function wantsLandingPage(req: IncomingMessage, url: URL): boolean {
  return req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
}

/**
 * The HTTP server: Apollo on /graphql (POST and GET), graphql-ws on the same path, /healthz (the process
 * is up) and /readyz (the database and the event broker answer). Every GraphQL operation, on either transport, passes the
 * limits of src/graphql/limits.ts before it runs.
 */
export async function createHttpApp(
  services: Services,
  schema: GraphQLSchema,
  logger: Logger,
  graphqlConfig: GraphQLConfig,
): Promise<HttpApp> {
  const server = createServer();
  const formatError = createFormatError(logger);
  const authenticate = (header: string | undefined | null): { user: AuthUser | null; error: DomainError | null } => {
    try {
      return { user: services.tokens.verifyHeader(header), error: null };
    } catch (err) {
      if (err instanceof DomainError) return { user: null, error: err };
      throw err;
    }
  };

  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: MAX_GRAPHQL_BODY });
  const wsCleanup = useServer<{ authorization?: string }, { user?: AuthUser }>(
    {
      schema,
      // A connection without a valid token is closed with 4403 Forbidden, and so is one whose token expires.
      onConnect: (ctx) => {
        const { user, error } = authenticate(ctx.connectionParams?.authorization ?? null);
        if (error || !user) return false;
        ctx.extra.user = user;
        if (user.expiresAt !== undefined) closeAtExpiry(ctx.extra.socket, user.expiresAt);
        return true;
      },
      onSubscribe: (_ctx, _id, payload) => prepareOperation(schema, payload, graphqlConfig, graphqlConfig),
      context: (ctx) => new RequestContext(services.dataSource, ctx.extra.user ?? null, null, services.eventBus),
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors) return result;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
      },
    },
    wss,
  );

  const apollo = new ApolloServer<RequestContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    parseOptions: parseOptions(graphqlConfig),
    validationRules: documentLimitRules(graphqlConfig),
    introspection: graphqlConfig.introspection,
    plugins: [limitsPlugin(graphqlConfig), ...(graphqlConfig.introspection ? [] : [ApolloServerPluginLandingPageDisabled()])],
    // main.ts owns SIGTERM/SIGINT: it stops the HTTP server, the dispatcher and the database in order.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  server.on('request', (req, res) => {
    void handle(req, res).catch((err) => {
      logger.error({ err }, 'unhandled error in an HTTP request');
      if (!res.headersSent) sendJson(res, 500, { code: 'INTERNAL_SERVER_ERROR', reason: 'Internal server error' });
      else res.destroy();
    });
  });

  const serveConsole = consoleStatic();
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await serveConsole(req, res, url)) return;
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') return ready(res);
    if (url.pathname === '/graphql') return graphql(req, res, url);
    if (url.pathname.startsWith('/callbacks/')) return callback(req, res, url);
    sendJson(res, 404, { code: 'NOT_FOUND', reason: 'Not found', message: `No route for ${req.method} ${url.pathname}` });
  }

  /** The external systems' callbacks: read (at most MAX_CALLBACK_BODY), handed to the inbound module, answered as it says. */
  async function callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let body = '';
    let tooLarge = false;
    try {
      body = await readBody(req, MAX_CALLBACK_BODY);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      tooLarge = true;
    }
    const answer = await services.callbacks.handle({
      method: req.method ?? 'GET',
      path: url.pathname.slice('/callbacks/'.length),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
      tooLarge,
    });
    sendJson(res, answer.status, answer.body, answer.headers);
  }

  async function ready(res: ServerResponse): Promise<void> {
    try {
      await services.dataSource.query('SELECT 1');
      // Without the broker, subscriptions here miss what other instances (and this one) publish.
      if (!services.eventBus.connected) {
        return sendJson(res, 503, { status: 'unavailable', reason: 'The event broker between instances does not answer' });
      }
      sendJson(res, 200, { status: 'ready' });
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
      sendJson(res, 503, { status: 'unavailable', reason: 'The database does not answer' });
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    // The token first: without a valid one nothing is read, parsed, validated or suggested. The body
    // is the usual GraphQL error, so clients read UNAUTHENTICATED as they always did.
    const { user, error } = authenticate(req.headers.authorization);
    if (!user && !(graphqlConfig.introspection && wantsLandingPage(req, url))) {
      return sendJson(
        res,
        401,
        {
          errors: [{ message: error?.message ?? 'Sign in: send "Authorization: Bearer <token>"', extensions: { code: 'UNAUTHENTICATED' } }],
        },
        { 'www-authenticate': error ? 'Bearer error="invalid_token"' : 'Bearer' },
      );
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, MAX_GRAPHQL_BODY);
      } catch (err) {
        if (err instanceof BodyTooLargeError)
          return sendJson(res, 413, { errors: [{ message: 'Request body too large', extensions: { code: 'BAD_USER_INPUT' } }] });
        throw err;
      }
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }] });
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => Promise.resolve(new RequestContext(services.dataSource, user, null, services.eventBus)),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return {
    server,
    stop: async (graceMs = 10_000) => {
      // Stop accepting, let in-flight requests finish (idle keep-alive connections are closed now,
      // busy ones after their response), close subscriptions with 1001, then stop Apollo.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await wsCleanup.dispose();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await apollo.stop();
    },
  };
}
