import { randomUUID } from 'node:crypto';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import { BadUserInputError, NotFoundError } from '../common/domain.errors';
import { isUuid, optionalText, requireText } from '../common/input-checks';
import type { RequestContext } from '../context/request-context';

export interface TestSpecificationValues {
  externalId: string;
  name: string;
  version?: string | null;
  measureDefinitions?:
    { definitionId?: string | null; metricName: string; unitOfMeasure?: string | null; valueType?: string | null }[] | null;
}

/** Local copies of the external systems' ServiceTestSpecifications and their measure definitions. */
export class TestSpecificationService {
  list(ctx: RequestContext): Promise<TestSpecificationEntity[]> {
    return ctx.manager.find(TestSpecificationEntity, { order: { name: 'ASC', id: 'ASC' } });
  }

  async require(ctx: RequestContext, id: string, field: string): Promise<TestSpecificationEntity> {
    const spec = isUuid(id) ? await ctx.loaders.testSpecification.load(id) : null;
    if (!spec) throw new NotFoundError('Test specification', id, field);
    return spec;
  }

  async create(ctx: RequestContext, input: TestSpecificationValues): Promise<TestSpecificationEntity> {
    const spec = ctx.manager.create(TestSpecificationEntity, {
      id: randomUUID(),
      externalId: requireText(input.externalId, 'input.externalId', 200),
      name: requireText(input.name, 'input.name', 200),
      version: optionalText(input.version, 'input.version', 50),
    });
    const seenIds = new Set<string>();
    const definitions = (input.measureDefinitions ?? []).map((d, i) => {
      const field = `input.measureDefinitions[${i}]`;
      const definitionId = optionalText(d.definitionId, `${field}.definitionId`, 200);
      if (definitionId !== null) {
        if (seenIds.has(definitionId)) {
          throw new BadUserInputError(`${field}.definitionId "${definitionId}" appears twice`, `${field}.definitionId`);
        }
        seenIds.add(definitionId);
      }
      return ctx.manager.create(TestMeasureDefinitionEntity, {
        id: randomUUID(),
        specificationId: spec.id,
        position: i,
        definitionId,
        metricName: requireText(d.metricName, `${field}.metricName`, 200),
        unitOfMeasure: optionalText(d.unitOfMeasure, `${field}.unitOfMeasure`, 50),
        valueType: optionalText(d.valueType, `${field}.valueType`, 50),
      });
    });
    await ctx.manager.insert(TestSpecificationEntity, spec);
    if (definitions.length) await ctx.manager.insert(TestMeasureDefinitionEntity, definitions);
    return ctx.manager.findOneByOrFail(TestSpecificationEntity, { id: spec.id });
  }
}
