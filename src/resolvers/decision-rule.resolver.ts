import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Services } from '../container';
import type { DecisionRuleEntity } from '../entities/decision-rule.entity';
import { ROLES } from '../services/auth/roles';
import type { RequestContext } from '../services/context/request-context';
import { DecisionOutcome, DecisionRule, DecisionRuleInput } from '../schema/decision-rule.types';
import { DecisionSubject } from '../schema/enums.types';
import { ExternalSystem } from '../schema/external-system.types';

@Resolver(() => DecisionRule)
export class DecisionRuleResolver {
  constructor(private readonly services: Services) {}

  @Authorized(ROLES.ANY)
  @Query(() => [DecisionRule])
  decisionRules(@Ctx() ctx: RequestContext, @Arg('subject', () => DecisionSubject, { nullable: true }) subject?: DecisionSubject | null) {
    return this.services.decisionRules.list(ctx, subject);
  }

  @Authorized(ROLES.ANY)
  @Query(() => DecisionOutcome)
  evaluateDecision(
    @Ctx() ctx: RequestContext,
    @Arg('subject', () => DecisionSubject) subject: DecisionSubject,
    @Arg('subjectId', () => ID) subjectId: string,
  ) {
    return this.services.submissions.evaluate(ctx, subject, subjectId);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => DecisionRule)
  createDecisionRule(@Ctx() ctx: RequestContext, @Arg('input', () => DecisionRuleInput) input: DecisionRuleInput) {
    return this.services.decisionRules.create(ctx, input);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => DecisionRule)
  updateDecisionRule(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => DecisionRuleInput) input: DecisionRuleInput,
  ) {
    return this.services.decisionRules.update(ctx, id, input);
  }

  @Authorized(ROLES.ADMIN)
  @Mutation(() => Boolean)
  deleteDecisionRule(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string) {
    return this.services.decisionRules.delete(ctx, id);
  }

  @FieldResolver(() => ExternalSystem)
  externalSystem(@Ctx() ctx: RequestContext, @Root() rule: DecisionRuleEntity) {
    return ctx.loaders.externalSystem.load(rule.externalSystemId);
  }
}
