import { randomUUID } from 'node:crypto';
import { DecisionRuleEntity, type RuleConditionValue } from '../../entities/decision-rule.entity';
import type { ConditionOperator, DecisionSubject } from '../../entities/enums';
import { BadUserInputError, NotFoundError } from '../common/domain.errors';
import { isUuid, requireIntInRange, requireText } from '../common/input-checks';
import type { RequestContext } from '../context/request-context';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { recordKind } from '../records/record-kinds';
import { validateRuleConditions } from './decision';

export interface DecisionRuleValues {
  subject: DecisionSubject;
  name: string;
  priority: number;
  active?: boolean | null;
  conditions?: { field: string; operator: ConditionOperator; values?: string[] | null }[] | null;
  hierarchical: boolean;
  externalSystemId: string;
}

/** The two outbound policy decision tables (Service Order and Test Run Outbound Policy). */
export class DecisionRuleService {
  constructor(private readonly externalSystems: ExternalSystemService) {}

  list(ctx: RequestContext, subject?: DecisionSubject | null): Promise<DecisionRuleEntity[]> {
    return ctx.manager.find(DecisionRuleEntity, {
      where: subject ? { subject } : {},
      order: { subject: 'ASC', priority: 'ASC', name: 'ASC', id: 'ASC' },
    });
  }

  async require(ctx: RequestContext, id: string): Promise<DecisionRuleEntity> {
    const rule = isUuid(id) ? await ctx.loaders.decisionRule.load(id) : null;
    if (!rule) throw new NotFoundError('Decision rule', id, 'id');
    return rule;
  }

  async create(ctx: RequestContext, input: DecisionRuleValues): Promise<DecisionRuleEntity> {
    const rule = ctx.manager.create(DecisionRuleEntity, { id: randomUUID() });
    await this.apply(ctx, rule, input);
    await ctx.manager.insert(DecisionRuleEntity, rule);
    return ctx.manager.findOneByOrFail(DecisionRuleEntity, { id: rule.id });
  }

  async update(ctx: RequestContext, id: string, input: DecisionRuleValues): Promise<DecisionRuleEntity> {
    const rule = await this.require(ctx, id);
    await this.apply(ctx, rule, input);
    await ctx.manager.save(DecisionRuleEntity, rule);
    return ctx.manager.findOneByOrFail(DecisionRuleEntity, { id });
  }

  async delete(ctx: RequestContext, id: string): Promise<boolean> {
    await this.require(ctx, id);
    await ctx.manager.delete(DecisionRuleEntity, { id });
    return true;
  }

  private async apply(ctx: RequestContext, rule: DecisionRuleEntity, input: DecisionRuleValues): Promise<void> {
    rule.subject = input.subject;
    rule.name = requireText(input.name, 'input.name', 200);
    rule.priority = requireIntInRange(input.priority, 'input.priority', -1_000_000, 1_000_000);
    rule.active = input.active ?? true;
    rule.hierarchical = input.hierarchical;
    rule.conditions = checkConditions(input);
    const system = await this.externalSystems.require(ctx, input.externalSystemId, 'input.externalSystemId');
    const api = recordKind(input.subject).api;
    if (system.api !== api) {
      throw new BadUserInputError(
        `input.externalSystemId: ${system.name} is a ${system.api} system; ${input.subject} rules need a ${api} system`,
        'input.externalSystemId',
      );
    }
    rule.externalSystemId = system.id;
  }
}

function checkConditions(input: DecisionRuleValues): RuleConditionValue[] {
  const conditions = (input.conditions ?? []).map((c) => ({
    field: c.field.trim(),
    operator: c.operator,
    values: c.values ?? [],
  }));
  const problems = validateRuleConditions(input.subject, conditions);
  if (problems.length) {
    const first = problems[0];
    throw new BadUserInputError(problems.map((p) => `input.${p.field}: ${p.message}`).join('; '), `input.${first.field}`);
  }
  return conditions;
}
