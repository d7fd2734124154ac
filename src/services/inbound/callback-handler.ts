import { createHash, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { InboundChannel, InboundOutcome } from '../../entities/enums';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import { entityColumns, toEntity } from '../common/entity-rows';
import { GroupCommit } from '../common/group-commit';
import { isUuid } from '../common/input-checks';
import { RequestContext } from '../context/request-context';
import type { RecordKind } from '../records/record-kind';
import type { SecretMask } from '../secrets/secret-mask';
import { RECORD_KINDS } from '../records/record-kinds';
import { jsonDepth, storableJson } from '../common/storable-json';
import { isObject, type Json } from '../tmf/resource-report';
import { Rejection, tmfError, type CallbackAnswer } from './callback-answers';
import type { InboundMessages } from './inbound-messages';
import type { ListenerEvents } from './listener-events';
import type { StatusCalls } from './status-calls';
import { prepared } from '../common/prepared';

/** Largest callback body read; a TMF event is a few kilobytes. */
export const MAX_CALLBACK_BODY = 1024 * 1024;

/** Deeper than any TMF resource nests (items in items included). */
const MAX_BODY_DEPTH = 64;

/** A callback's head: what is known before its body is read. */
export interface CallbackHead {
  method: string;
  /** The path below /callbacks/, e.g. "<systemId>/listener/serviceOrderStateChangeEvent". */
  path: string;
  authorization?: string;
  contentType?: string;
}

/** A callback as the HTTP server read it. */
export interface CallbackRequest extends CallbackHead {
  /** The body as text; empty when too large (it was not read past the limit). */
  body: string;
  tooLarge: boolean;
}

/** Looked up when the path names no system, so that an unknown system costs the same query as a known one. */
const NO_SYSTEM_ID = '00000000-0000-0000-0000-000000000000';

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest();
/** Compared against when the system is unknown, so that the answer takes as long either way. */
const NO_SYSTEM = hash('no such system');

/** The presented bearer token against the stored SHA-256, in constant time whether or not there is one. */
function tokenMatches(header: string | undefined, tokenHash: string | null): boolean {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  const expected = tokenHash && /^[0-9a-f]{64}$/.test(tokenHash) ? Buffer.from(tokenHash, 'hex') : NO_SYSTEM;
  const same = timingSafeEqual(hash(token ?? ''), expected);
  return same && token !== undefined && tokenHash !== null;
}

function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Everything under /callbacks/{externalSystemId}: the TMF listener, the compact status calls. A caller
 * that is not the system (unknown system, wrong or missing token) is answered and nothing is stored;
 * everything an authenticated system sends is stored with its outcome before it is answered.
 */
export class CallbackHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: InboundMessages,
    private readonly listener: ListenerEvents,
    private readonly statusCalls: StatusCalls,
    /** The system's secret mask: a system that quotes our credentials back (an error text, an echo) must not get them stored. */
    private readonly masks: (system: ExternalSystemEntity) => SecretMask | null = () => null,
  ) {}

  /**
   * The systems of callbacks that arrive together, read in one statement (never kept: a token revoked
   * or rotated holds for the very next callback).
   */
  private readonly systems = new GroupCommit<string, ExternalSystemEntity | null>(
    async (ids) => {
      const { manager } = this.dataSource;
      const rows: Record<string, unknown>[] = await manager.query(
        prepared(`SELECT ${entityColumns(manager, ExternalSystemEntity, 's')} FROM external_system s WHERE s.id = ANY($1::uuid[])`),
        [[...new Set(ids)]],
      );
      const byId = new Map(rows.map((row) => [String(row['s.id']).toLowerCase(), toEntity(manager, ExternalSystemEntity, row, 's')]));
      // A uuid matches in any letter case, as the column compares it.
      return ids.map((id) => ({ value: byId.get(id.toLowerCase()) ?? null }));
    },
    { inFlight: 1, maxBatch: 256 },
  );

  /**
   * Who is calling, before anything of the body is read: the system named by the path, if the bearer
   * token is its inbound token. An unknown system, a malformed id and a wrong token cost the same work
   * (one look-up by primary key, one hash compared in constant time), so timing tells nothing.
   */
  async authenticate(head: CallbackHead): Promise<{ system: ExternalSystemEntity } | { answer: CallbackAnswer }> {
    const systemId = head.path.split('/')[0] ?? '';
    const system = await this.systems.submit(isUuid(systemId) ? systemId : NO_SYSTEM_ID);
    const authenticated = tokenMatches(head.authorization, system?.inboundTokenHash ?? null);
    if (!system) {
      const answer = tmfError(
        404,
        'NOT_FOUND',
        'Unknown external system',
        `No external system ${JSON.stringify(systemId.slice(0, 100))} is configured here`,
      );
      return { answer };
    }
    if (!authenticated) {
      const message = `Send "Authorization: Bearer <the inbound token of ${system.name}>"`;
      return { answer: tmfError(401, 'UNAUTHORIZED', 'Unauthorized', message, { 'www-authenticate': 'Bearer' }) };
    }
    return { system };
  }

  /** A callback of an authenticated system (authenticate first): stored with its outcome, and answered. */
  async handle(system: ExternalSystemEntity, req: CallbackRequest): Promise<CallbackAnswer> {
    const [, route = '', ...rest] = req.path.split('/');
    const channel = route === 'listener' ? InboundChannel.EVENT : InboundChannel.STATUS_CALL;
    const kind = RECORD_KINDS.find((k) => k.api === system.api)!;
    // Masked only when the text shows a secret (one pass over it): most callbacks are stored as they came.
    const mask = this.masks(system);
    const secretIn = mask !== null && req.body !== '' && mask.text(req.body) !== req.body ? mask : null;
    try {
      const body = this.checkedBody(req);
      return await this.route(system, kind, req.method, route, rest, secretIn ? secretIn.json(body) : body);
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      await this.reject(system, channel, req, err, secretIn);
      return err.answer;
    }
  }

  private route(
    system: ExternalSystemEntity,
    kind: RecordKind,
    method: string,
    route: string,
    rest: string[],
    body: Json,
  ): Promise<CallbackAnswer> {
    const allowed = (m: string) => {
      if (method !== m) throw new Rejection(tmfError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed', `Use ${m} here`, { allow: m }));
    };
    if (route === 'listener' && rest.length === 1) {
      allowed('POST');
      return this.listener.handle(system, kind, rest[0], body);
    }
    if (route === 'serviceOrder' && rest.length === 1 && rest[0] === 'outboundresponse') {
      allowed('POST');
      return this.statusCalls.outboundResponse(system, kind, body);
    }
    if (route === 'serviceTest' && rest.length === 1 && rest[0] !== '') {
      allowed('PATCH');
      return this.statusCalls.serviceTestUpdate(system, kind, decodeURIComponent(rest[0]), body);
    }
    throw new Rejection(tmfError(404, 'NOT_FOUND', 'Not found', `No callback route /callbacks/${system.id}/${[route, ...rest].join('/')}`));
  }

  private checkedBody(req: CallbackRequest): Json {
    if (req.tooLarge) {
      throw new Rejection(
        tmfError(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', `A callback body may be at most ${MAX_CALLBACK_BODY} bytes`),
      );
    }
    if (!isJson(req.contentType)) {
      throw new Rejection(
        tmfError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'Unsupported media type',
          `Send the body as application/json (got ${req.contentType ?? 'no content-type'})`,
        ),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      throw new Rejection(tmfError(400, 'INVALID_BODY', 'Invalid body', 'The body is not valid JSON'));
    }
    if (!isObject(body)) throw new Rejection(tmfError(400, 'INVALID_BODY', 'Invalid body', 'The body must be a JSON object'));
    if (jsonDepth(body) > MAX_BODY_DEPTH) {
      throw new Rejection(tmfError(400, 'INVALID_BODY', 'Invalid body', `The body nests deeper than ${MAX_BODY_DEPTH} levels`));
    }
    return storableJson(body) as Json;
  }

  /** Stores a refused message of an authenticated system (its body as received, JSON or text). */
  private async reject(
    system: ExternalSystemEntity,
    channel: InboundChannel,
    req: CallbackRequest,
    rejection: Rejection,
    mask: SecretMask | null,
  ): Promise<void> {
    let body: unknown = null;
    if (!req.tooLarge) {
      try {
        body = JSON.parse(req.body);
      } catch {
        body = req.body;
      }
      if (jsonDepth(body) > MAX_BODY_DEPTH) body = req.body.slice(0, 10_000);
    }
    const ctx = new RequestContext(this.dataSource, null);
    await ctx.transaction(() =>
      this.messages.record(ctx, {
        externalSystemId: system.id,
        channel,
        eventId: rejection.eventId ?? null,
        eventType: rejection.eventType ?? null,
        body: storableJson(mask ? mask.json(body) : body),
        outcome: InboundOutcome.REJECTED,
        reason: rejection.message,
        responseStatus: rejection.answer.status,
      }),
    );
  }
}
