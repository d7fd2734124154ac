import { randomUUID } from 'node:crypto';
import { DecisionRuleEntity } from '../../entities/decision-rule.entity';
import { OutboundAuthType, TmfApi } from '../../entities/enums';
import { ExternalSystemEntity } from '../../entities/external-system.entity';
import { OutboundRequestEntity } from '../../entities/outbound-request.entity';
import { BadUserInputError, NotFoundError } from '../common/domain.errors';
import { isUuid, optionalText, requireIntInRange, requireText } from '../common/input-checks';
import type { RequestContext } from '../context/request-context';
import { hashToken, type SecretBox } from '../secrets/secret-box';
import type { HubRegistration } from '../inbound/hub-registration';
import type { PollSchedules } from '../inbound/poll-schedules';
import type { OutboundCredentials } from '../southbound/outbound-auth';
import { checkBaseUrl, type UrlPolicy } from '../southbound/url-policy';

export interface OutboundAuthValues extends OutboundCredentials {
  type: OutboundAuthType;
}

export interface ExternalSystemValues {
  name: string;
  api: TmfApi;
  baseUrl: string;
  enabled?: boolean | null;
  timeoutMs?: number | null;
  maxAttempts?: number | null;
  auth?: OutboundAuthValues | null;
  inboundToken?: string | null;
  pollIntervalSeconds?: number | null;
  pointOfNoReturnMilestone?: string | null;
  /** Register this gateway's listener at the system's TMF /hub (left out: keep what is registered). */
  registerHub?: boolean | null;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 5;

const REQUIRED: Record<OutboundAuthType, (keyof OutboundCredentials)[]> = {
  NONE: [],
  BASIC: ['username', 'password'],
  BEARER: ['token'],
  OAUTH2_CLIENT_CREDENTIALS: ['tokenUrl', 'clientId', 'clientSecret'],
};
const ALLOWED: Record<OutboundAuthType, (keyof OutboundCredentials)[]> = {
  ...REQUIRED,
  OAUTH2_CLIENT_CREDENTIALS: ['tokenUrl', 'clientId', 'clientSecret', 'scope'],
};

/** External systems ("spokes"): where outbound requests go and how to authenticate there. */
export class ExternalSystemService {
  constructor(
    private readonly secrets: SecretBox,
    private readonly urlPolicy: UrlPolicy,
    /** What a change of a system sets in motion at the system (hub) and here (polls); tools that only read or re-seal systems leave it out. */
    private readonly effects: { hub: HubRegistration; polls: PollSchedules } | null = null,
  ) {}

  list(ctx: RequestContext): Promise<ExternalSystemEntity[]> {
    return ctx.manager.find(ExternalSystemEntity, { order: { name: 'ASC' } });
  }

  async get(ctx: RequestContext, id: string): Promise<ExternalSystemEntity | null> {
    return isUuid(id) ? ctx.loaders.externalSystem.load(id) : null;
  }

  async require(ctx: RequestContext, id: string, field: string): Promise<ExternalSystemEntity> {
    const system = await this.get(ctx, id);
    if (!system) throw new NotFoundError('External system', id, field);
    return system;
  }

  async create(ctx: RequestContext, input: ExternalSystemValues): Promise<ExternalSystemEntity> {
    const system = ctx.manager.create(ExternalSystemEntity, { id: randomUUID(), hubSubscriptionId: null });
    await this.apply(ctx, system, input, true);
    await ctx.manager.insert(ExternalSystemEntity, system);
    // Registered once the row exists, so a refusal rolls the whole creation back.
    await this.effects?.hub.sync(system, null, input.registerHub);
    if (system.hubSubscriptionId)
      await ctx.manager.update(ExternalSystemEntity, { id: system.id }, { hubSubscriptionId: system.hubSubscriptionId });
    return ctx.manager.findOneByOrFail(ExternalSystemEntity, { id: system.id });
  }

  async update(ctx: RequestContext, id: string, input: ExternalSystemValues): Promise<ExternalSystemEntity> {
    const system = await this.require(ctx, id, 'id');
    if (input.api !== system.api) await this.assertApiChangeable(ctx, system);
    const before = {
      baseUrl: system.baseUrl,
      hubSubscriptionId: system.hubSubscriptionId,
      pollIntervalSeconds: system.pollIntervalSeconds,
    };
    await this.apply(ctx, system, input, false);
    await this.effects?.hub.sync(system, before, input.registerHub);
    await ctx.manager.save(ExternalSystemEntity, system);
    if (system.pollIntervalSeconds !== before.pollIntervalSeconds) await this.effects?.polls.systemChanged(ctx, system);
    return ctx.manager.findOneByOrFail(ExternalSystemEntity, { id });
  }

  /** The decrypted credentials of a system (never exposed through GraphQL). */
  credentials(system: ExternalSystemEntity): OutboundCredentials {
    return system.authSecret ? (JSON.parse(this.secrets.open(system.authSecret)) as OutboundCredentials) : {};
  }

  private async apply(ctx: RequestContext, s: ExternalSystemEntity, input: ExternalSystemValues, isNew: boolean) {
    s.name = requireText(input.name, 'input.name', 200);
    const clash = await ctx.manager
      .createQueryBuilder(ExternalSystemEntity, 'e')
      .where('lower(e.name) = lower(:name) AND e.id <> :id', { name: s.name, id: s.id })
      .getExists();
    if (clash) throw new BadUserInputError(`An external system named "${s.name}" already exists`, 'input.name');
    s.api = input.api;
    s.baseUrl = this.checkUrl(input.baseUrl, 'input.baseUrl');
    s.enabled = input.enabled ?? (isNew ? true : s.enabled);
    s.timeoutMs = requireIntInRange(input.timeoutMs ?? (isNew ? DEFAULT_TIMEOUT_MS : s.timeoutMs), 'input.timeoutMs', 1, 300_000);
    s.maxAttempts = requireIntInRange(input.maxAttempts ?? (isNew ? DEFAULT_MAX_ATTEMPTS : s.maxAttempts), 'input.maxAttempts', 1, 100);
    // Left out of an update: keep it; null: no polling.
    s.pollIntervalSeconds =
      input.pollIntervalSeconds === undefined
        ? isNew
          ? null
          : s.pollIntervalSeconds
        : input.pollIntervalSeconds === null
          ? null
          : requireIntInRange(input.pollIntervalSeconds, 'input.pollIntervalSeconds', 1, 86_400);
    s.pointOfNoReturnMilestone =
      optionalText(input.pointOfNoReturnMilestone, 'input.pointOfNoReturnMilestone', 200) ??
      (isNew ? 'pointOfNoReturn' : s.pointOfNoReturnMilestone);
    // Secrets are write-only: leaving auth or inboundToken out of an update keeps what is stored.
    if (input.auth) this.applyAuth(s, input.auth);
    else if (isNew) this.applyAuth(s, { type: OutboundAuthType.NONE });
    if (input.inboundToken !== undefined && input.inboundToken !== null) {
      s.inboundTokenHash = input.inboundToken === '' ? null : hashToken(checkToken(input.inboundToken));
    } else if (isNew) {
      s.inboundTokenHash = null;
    }
  }

  private applyAuth(s: ExternalSystemEntity, auth: OutboundAuthValues): void {
    const credentials: OutboundCredentials = {};
    for (const key of Object.keys(auth) as (keyof OutboundAuthValues)[]) {
      if (key === 'type' || auth[key] === null || auth[key] === undefined) continue;
      if (!ALLOWED[auth.type].includes(key)) {
        throw new BadUserInputError(`input.auth.${key} is not used with auth type ${auth.type}`, `input.auth.${key}`);
      }
    }
    for (const key of ALLOWED[auth.type]) {
      const value = optionalText(auth[key], `input.auth.${key}`, 4000);
      if (value === null && REQUIRED[auth.type].includes(key)) {
        throw new BadUserInputError(`input.auth.${key} is required with auth type ${auth.type}`, `input.auth.${key}`);
      }
      if (value !== null) credentials[key] = key === 'tokenUrl' ? this.checkUrl(value, 'input.auth.tokenUrl') : value;
    }
    s.authType = auth.type;
    s.authSecret = auth.type === OutboundAuthType.NONE ? null : this.secrets.seal(JSON.stringify(credentials));
  }

  private checkUrl(raw: string, field: string): string {
    try {
      return checkBaseUrl(requireText(raw, field, 2000), this.urlPolicy);
    } catch (err) {
      if (err instanceof BadUserInputError) throw err;
      throw new BadUserInputError(`${field} ${(err as Error).message}`, field);
    }
  }

  private async assertApiChangeable(ctx: RequestContext, s: ExternalSystemEntity): Promise<void> {
    const [rules, requests] = await Promise.all([
      ctx.manager.countBy(DecisionRuleEntity, { externalSystemId: s.id }),
      ctx.manager.countBy(OutboundRequestEntity, { externalSystemId: s.id }),
    ]);
    if (rules || requests) {
      throw new BadUserInputError(
        `input.api cannot change: ${rules} decision rule(s) and ${requests} outbound request(s) use ${s.name} as a ${s.api} system`,
        'input.api',
      );
    }
  }
}

function checkToken(token: string): string {
  if (token.trim().length < 16) throw new BadUserInputError('input.inboundToken must be at least 16 characters', 'input.inboundToken');
  return token.trim();
}
