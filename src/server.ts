import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GraphQLConfig, HttpConfig } from './config';
import type { Services } from './container';
import { createFormatError } from './graphql/format-error';
import { documentLimitRules, limitsPlugin, parseOptions, prepareOperation } from './graphql/limits';
import { consoleStatic } from './http/console-static';
import { metricsPlugin } from './graphql/metrics-plugin';
import { rolesScope, sharedSubscribe } from './graphql/subscription-execution';
import { bearerMatches, BodyTimeoutError, BodyTooLargeError, readBody, requestIdOf, sendJson } from './http-kit';
import type { AuthUser } from './services/auth/roles';
import { DomainError } from './services/common/domain.errors';
import { RequestContext } from './services/context/request-context';
import { tmfError, type CallbackAnswer } from './services/inbound/callback-answers';
import { MAX_CALLBACK_BODY } from './services/inbound/callback-handler';
import { CallbackRate } from './services/inbound/callback-rate';

/** GraphQL requests larger than this are refused (a 10,000-record tree fits comfortably). */
const MAX_GRAPHQL_BODY = 16 * 1024 * 1024;

/**
 * Every GraphQL answer is one caller's: `Cache-Control: no-store`. Apollo's cache-control plugin said the
 * same (nothing here has a cache hint), but from a hook on every resolved field, a tenth of the time of a
 * page of a few hundred orders; this says it once per answer, and the plugin is off.
 */
const noStore: ApolloServerPlugin<RequestContext> = {
  requestDidStart: () =>
    Promise.resolve({
      willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
        return Promise.resolve();
      },
    }),
};

export interface HttpApp {
  server: Server;
  /** Graceful stop; connections still busy after graceMs are cut. */
  stop(graceMs?: number): Promise<void>;
}

/** Why this instance should not get traffic now (migrations pending, database down, dispatcher stopped); empty: ready. */
export type Readiness = () => Promise<string[]>;

/** Health and metrics lines are logged at debug: a scraper or a load balancer would drown the rest. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

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

/** Fields a route adds to its request's log line. */
type RequestAbout = { system?: string; inboundMessage?: string; outcome?: string };

/**
 * The HTTP server: Apollo on /graphql (POST and GET), graphql-ws on the same path, the systems'
 * /callbacks, /healthz (the process is up), /readyz (it should get traffic), /metrics (Prometheus) and /console.
 * Every GraphQL operation, on either transport, passes the limits of src/graphql/limits.ts before it
 * runs. Every request is logged with its request id, which the answer carries as x-request-id.
 */
export async function createHttpApp(
  services: Services,
  schema: GraphQLSchema,
  logger: Logger,
  config: { graphql: GraphQLConfig; http: HttpConfig },
  readiness: Readiness,
): Promise<HttpApp> {
  const graphqlConfig = config.graphql;
  const httpConfig = config.http;
  const metrics = services.telemetry.metrics;
  const server = createServer({
    headersTimeout: httpConfig.headersTimeoutMs,
    requestTimeout: httpConfig.requestTimeoutMs,
    // Node looks for timed-out requests at this interval (30 s by default, far too late for a short timeout).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(httpConfig.headersTimeoutMs / 4))),
  });
  const callbackRate = new CallbackRate({ rate: httpConfig.callbackRate, burst: httpConfig.callbackBurst });
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
        metrics.websocketConnections.inc();
        ctx.extra.socket.once('close', () => metrics.websocketConnections.dec());
        if (user.expiresAt !== undefined) closeAtExpiry(ctx.extra.socket, user.expiresAt);
        return true;
      },
      onSubscribe: (_ctx, _id, payload) => {
        const prepared = prepareOperation(schema, payload, graphqlConfig, graphqlConfig);
        const operation = metrics.operationLabel(payload.operationName);
        metrics.subscriptions.inc({ operation, outcome: Array.isArray(prepared) ? 'BAD_USER_INPUT' : 'ok' });
        return prepared;
      },
      context: (ctx) => new RequestContext(services.dataSource, ctx.extra.user ?? null, null, services.eventBus),
      // An event reaching many subscribers of one operation is executed once for each set of roles among them.
      subscribe: sharedSubscribe(rolesScope),
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
    plugins: [
      limitsPlugin(graphqlConfig),
      metricsPlugin(metrics),
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      ...(graphqlConfig.introspection ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
    // main.ts owns SIGTERM/SIGINT: it stops the HTTP server, the dispatcher and the database in order.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  server.on('request', (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ reqId: requestId });
    // What a route learns about the request that its log line should name (a callback: its system and message).
    const about: RequestAbout = {};
    const started = performance.now();
    // The path only: a GET /graphql query string may carry variables.
    const path = (req.url ?? '/').split('?')[0].slice(0, 300);
    // 'close' comes for every request, also one whose client went away before the answer was sent.
    res.once('close', () => {
      const line = {
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        ...about,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (QUIET_PATHS.has(path)) log.debug(line, 'request');
      else log.info(line, 'request');
    });
    void handle(req, res, log, about).catch((err) => {
      log.error({ err }, 'unhandled error in an HTTP request');
      if (!res.headersSent) sendJson(res, 500, { code: 'INTERNAL_SERVER_ERROR', reason: 'Internal server error' });
      else res.destroy();
    });
  });

  const serveConsole = consoleStatic();
  async function handle(req: IncomingMessage, res: ServerResponse, log: Logger, about: RequestAbout): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await serveConsole(req, res, url)) return;
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') return ready(res, log);
    if (url.pathname === '/metrics') return metricsEndpoint(req, res);
    if (url.pathname === '/graphql') return graphql(req, res, url);
    if (url.pathname.startsWith('/callbacks/')) return callback(req, res, url, about);
    sendJson(res, 404, { code: 'NOT_FOUND', reason: 'Not found', message: `No route for ${req.method} ${url.pathname}` });
  }

  /** A refusal before the body was read: the connection is closed after it, so the unread body is never waited for. */
  function refuse(res: ServerResponse, answer: CallbackAnswer): void {
    sendJson(res, answer.status, answer.body, { ...answer.headers, connection: 'close' });
  }

  /**
   * The external systems' callbacks: the system authenticated first (nothing read before), then its
   * rate (CALLBACK_RATE, a bucket per system), then the body, read within CALLBACK_BODY_TIMEOUT_MS and
   * at most MAX_CALLBACK_BODY, handed to the inbound module and answered as it says.
   */
  async function callback(req: IncomingMessage, res: ServerResponse, url: URL, about: RequestAbout): Promise<void> {
    const head = {
      method: req.method ?? 'GET',
      path: url.pathname.slice('/callbacks/'.length),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
    };
    const caller = await services.callbacks.authenticate(head);
    if ('answer' in caller) return refuse(res, caller.answer);
    const { system } = caller;
    about.system = system.name;
    const rate = callbackRate.take(system.id);
    if (!rate.allowed) {
      metrics.callbacksLimited.inc({ system: system.name });
      const message = `${system.name} sends more than ${httpConfig.callbackRate} callbacks per second; send this one again after ${rate.retryAfterSeconds} s`;
      return refuse(
        res,
        tmfError(429, 'TOO_MANY_REQUESTS', 'Too many requests', message, { 'retry-after': String(rate.retryAfterSeconds) }),
      );
    }
    let body = '';
    let tooLarge = false;
    try {
      body = await readBody(req, MAX_CALLBACK_BODY, httpConfig.callbackBodyTimeoutMs);
    } catch (err) {
      if (err instanceof BodyTimeoutError) {
        const message = `The body did not arrive within ${httpConfig.callbackBodyTimeoutMs} ms`;
        refuse(res, tmfError(408, 'REQUEST_TIMEOUT', 'Request timeout', message));
        return;
      }
      if (!(err instanceof BodyTooLargeError)) {
        return refuse(res, tmfError(400, 'INVALID_BODY', 'Invalid body', 'The body could not be read'));
      }
      tooLarge = true;
    }
    const answer = await services.callbacks.handle(system, { ...head, body, tooLarge });
    const stored = answer.body as { id?: unknown; outcome?: unknown } | null;
    if (typeof stored?.id === 'string' && typeof stored.outcome === 'string') {
      Object.assign(about, { inboundMessage: stored.id, outcome: stored.outcome });
    }
    sendJson(res, answer.status, answer.body, tooLarge ? { ...answer.headers, connection: 'close' } : answer.headers);
  }

  /** 200 when this instance should get traffic; 503 with every reason why not. /healthz stays a liveness check. */
  async function ready(res: ServerResponse, log: Logger): Promise<void> {
    const reasons = await readiness();
    if (reasons.length === 0) return sendJson(res, 200, { status: 'ready' });
    log.warn({ reasons }, 'not ready');
    sendJson(res, 503, { status: 'unavailable', reasons });
  }

  /** Prometheus text exposition; with METRICS_TOKEN, only for `Authorization: Bearer <METRICS_TOKEN>`. */
  async function metricsEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (httpConfig.metricsToken !== null && !bearerMatches(req.headers.authorization, httpConfig.metricsToken)) {
      return sendJson(
        res,
        401,
        { code: 'UNAUTHORIZED', reason: 'Unauthorized', message: 'Send "Authorization: Bearer <METRICS_TOKEN>"' },
        {
          'www-authenticate': 'Bearer',
        },
      );
    }
    const { contentType, text } = await metrics.exposition();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
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
