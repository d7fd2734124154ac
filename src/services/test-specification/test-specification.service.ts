import { randomUUID } from 'node:crypto';
import { In, IsNull } from 'typeorm';
import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import { TestMeasureDefinitionEntity, TestSpecificationEntity } from '../../entities/test-specification.entity';
import { BadUserInputError, NotFoundError } from '../common/domain.errors';
import { isUuid, optionalText, requireText } from '../common/input-checks';
import type { RequestContext } from '../context/request-context';
import { readServiceTestSpecification, type DefinitionReport, type SpecificationReport } from '../tmf653/service-test-specification.report';
import type { Json } from '../tmf/resource-report';

export interface MeasureDefinitionValues {
  definitionId?: string | null;
  metricName: string;
  unitOfMeasure?: string | null;
  valueType?: string | null;
}

export interface TestSpecificationValues {
  externalId: string;
  name: string;
  version?: string | null;
  measureDefinitions?: MeasureDefinitionValues[] | null;
}

/** What becomes of a specification's definitions: each keeps its row (and filled id) when its metric stays. */
interface DefinitionPlan {
  metricName: string;
  unitOfMeasure: string | null;
  valueType: string | null;
  /** undefined: keep the stored one (an import or update that does not name one never clears a filled id). */
  definitionId: string | null | undefined;
}

const DELETED = 'deleted';

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
      lifecycleStatus: null,
      externalSystemId: null,
      syncedAt: null,
    });
    const plans = checkDefinitions(input.measureDefinitions ?? []);
    await ctx.manager.insert(TestSpecificationEntity, spec);
    await this.replaceDefinitions(ctx, spec, plans);
    return ctx.manager.findOneByOrFail(TestSpecificationEntity, { id: spec.id });
  }

  /**
   * Replaces name, version and definitions; a definition matched by metricName keeps its row and its
   * definitionId unless the input gives one. An input without measureDefinitions keeps them as they are.
   */
  async update(ctx: RequestContext, id: string, input: TestSpecificationValues): Promise<TestSpecificationEntity> {
    const spec = await this.lock(ctx, id, 'id');
    const externalId = requireText(input.externalId, 'input.externalId', 200);
    if (externalId !== spec.externalId && spec.externalSystemId) {
      throw new BadUserInputError(
        `input.externalId cannot change: ${spec.name} is the local copy of ${spec.externalId} of its test system`,
        'input.externalId',
      );
    }
    Object.assign(spec, {
      externalId,
      name: requireText(input.name, 'input.name', 200),
      version: optionalText(input.version, 'input.version', 50),
    });
    const plans = input.measureDefinitions ? checkDefinitions(input.measureDefinitions) : null;
    await ctx.manager.save(TestSpecificationEntity, spec);
    if (plans) await this.replaceDefinitions(ctx, spec, plans);
    return ctx.manager.findOneByOrFail(TestSpecificationEntity, { id: spec.id });
  }

  /**
   * Fills or changes one definition (its id field above all): the metric, and the definitionId, unit and
   * value type given; one left out of the input stays as it is (null clears it), so filling the id needs
   * only the metric and the id.
   */
  async updateDefinition(ctx: RequestContext, id: string, input: MeasureDefinitionValues): Promise<TestMeasureDefinitionEntity> {
    const definition = isUuid(id)
      ? await ctx.manager.findOne(TestMeasureDefinitionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!definition) throw new NotFoundError('Test measure definition', id, 'id');
    const siblings = await ctx.manager.find(TestMeasureDefinitionEntity, { where: { specificationId: definition.specificationId } });
    const metricName = requireText(input.metricName, 'input.metricName', 200);
    const given = <K extends 'definitionId' | 'unitOfMeasure' | 'valueType'>(field: K, max: number) =>
      input[field] === undefined ? definition[field] : optionalText(input[field], `input.${field}`, max);
    const definitionId = given('definitionId', 200);
    const clash = (field: 'metricName' | 'definitionId', value: string | null) =>
      value !== null && siblings.some((d) => d.id !== definition.id && d[field] === value);
    if (clash('metricName', metricName))
      throw new BadUserInputError(`input.metricName "${metricName}" is already a definition of this specification`, 'input.metricName');
    if (clash('definitionId', definitionId)) {
      throw new BadUserInputError(
        `input.definitionId "${definitionId}" is already the id of another definition of this specification`,
        'input.definitionId',
      );
    }
    Object.assign(definition, {
      metricName,
      definitionId,
      unitOfMeasure: given('unitOfMeasure', 50),
      valueType: given('valueType', 50),
    });
    return ctx.manager.save(TestMeasureDefinitionEntity, definition);
  }

  /**
   * Creates or updates the local copy of a system's specification from what the system says, keeping
   * filled definition ids; a deleted one is marked lifecycleStatus "deleted" and kept (runs still use it).
   * Returns the copy, or null (with why) when the report is too partial to create one.
   */
  async upsertFromSystem(
    ctx: RequestContext,
    system: Pick<ExternalSystemEntity, 'id' | 'name'>,
    report: SpecificationReport,
    options: { deleted?: boolean } = {},
  ): Promise<{ spec: TestSpecificationEntity | null; changed: boolean; reason: string | null }> {
    if (!report.externalId) return { spec: null, changed: false, reason: 'The specification has no id' };
    // An import and the system's events may write the same copy at once; the second waits for the first
    // (a copy that does not exist yet has no row to lock).
    await ctx.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `test-specification:${system.id}:${report.externalId}`,
    ]);
    const existing = await ctx.manager.findOne(TestSpecificationEntity, {
      where: [
        { externalSystemId: system.id, externalId: report.externalId },
        { externalSystemId: IsNull(), externalId: report.externalId },
      ],
      order: { externalSystemId: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    if (!existing && (options.deleted || !report.name)) {
      return {
        spec: null,
        changed: false,
        reason: `No local copy of ${report.externalId} to ${options.deleted ? 'mark deleted' : 'change'}, and it names no name to create one with`,
      };
    }
    const spec =
      existing ??
      ctx.manager.create(TestSpecificationEntity, {
        id: randomUUID(),
        externalId: report.externalId,
        version: null,
        lifecycleStatus: null,
      });
    const before = JSON.stringify([spec.name, spec.version, spec.lifecycleStatus, spec.externalSystemId]);
    Object.assign(spec, {
      name: report.name ?? spec.name,
      version: report.version ?? spec.version,
      // The system says it has it (a listing, a create or change event): a copy marked deleted is back.
      lifecycleStatus: options.deleted
        ? DELETED
        : (report.lifecycleStatus ?? (spec.lifecycleStatus === DELETED ? null : spec.lifecycleStatus)),
      externalSystemId: system.id,
      syncedAt: new Date(),
    });
    let changed = !existing || before !== JSON.stringify([spec.name, spec.version, spec.lifecycleStatus, spec.externalSystemId]);
    await ctx.manager.save(TestSpecificationEntity, spec);
    if (report.definitions && !options.deleted)
      changed = (await this.replaceDefinitions(ctx, spec, fromReport(report.definitions))) || changed;
    return { spec, changed, reason: changed ? null : `${spec.name} (${spec.externalId}) already shows all of it` };
  }

  /** The three serviceTestSpecification events of a TMF653 system (see upsertFromSystem). */
  async apply(ctx: RequestContext, system: Pick<ExternalSystemEntity, 'id' | 'name'>, specification: Json, deleted: boolean) {
    const { changed, reason } = await this.upsertFromSystem(ctx, system, readServiceTestSpecification(specification), { deleted });
    return { changed, reason };
  }

  private async lock(ctx: RequestContext, id: string, field: string): Promise<TestSpecificationEntity> {
    const spec = isUuid(id)
      ? await ctx.manager.findOne(TestSpecificationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!spec) throw new NotFoundError('Test specification', id, field);
    return spec;
  }

  /**
   * Makes the definitions what `plans` say, matching by metricName: a match keeps its row, and its
   * definitionId unless the plan names one; the rest are added or removed (results keep their metric).
   * Returns whether anything changed.
   */
  private async replaceDefinitions(ctx: RequestContext, spec: TestSpecificationEntity, plans: DefinitionPlan[]): Promise<boolean> {
    const current = await ctx.manager.find(TestMeasureDefinitionEntity, {
      where: { specificationId: spec.id },
      order: { position: 'ASC' },
    });
    const byMetric = new Map(current.map((d) => [d.metricName, d]));
    const rows = plans.map((p, position) => {
      const kept = byMetric.get(p.metricName);
      return ctx.manager.create(TestMeasureDefinitionEntity, {
        id: kept?.id ?? randomUUID(),
        specificationId: spec.id,
        position,
        metricName: p.metricName,
        unitOfMeasure: p.unitOfMeasure,
        valueType: p.valueType,
        definitionId: p.definitionId === undefined ? (kept?.definitionId ?? null) : p.definitionId,
      });
    });
    const key = (d: TestMeasureDefinitionEntity) =>
      JSON.stringify([d.id, d.position, d.metricName, d.unitOfMeasure, d.valueType, d.definitionId]);
    if (rows.length === current.length && rows.every((r, i) => key(r) === key(current[i]))) return false;
    const ids = new Set(rows.map((r) => r.id));
    const gone = current.filter((d) => !ids.has(d.id)).map((d) => d.id);
    if (gone.length) await ctx.manager.delete(TestMeasureDefinitionEntity, { id: In(gone) });
    // Positions are unique per specification: move the kept rows out of the way before renumbering.
    if (current.length)
      await ctx.manager.query('UPDATE test_measure_definition SET position = -1 - position WHERE specification_id = $1', [spec.id]);
    if (rows.length) await ctx.manager.upsert(TestMeasureDefinitionEntity, rows, ['id']);
    return true;
  }
}

/** A system's definitions; a metric it lists twice is taken once, as first listed (definitions are matched by metricName). */
function fromReport(definitions: DefinitionReport[]): DefinitionPlan[] {
  const seen = new Set<string>();
  return definitions.flatMap((d) => {
    if (seen.has(d.metricName)) return [];
    seen.add(d.metricName);
    return [
      { metricName: d.metricName, unitOfMeasure: d.unitOfMeasure ?? null, valueType: d.valueType ?? null, definitionId: d.definitionId },
    ];
  });
}

/** Definitions of an input: metric names and filled definition ids unique; a blank definitionId leaves the stored one. */
function checkDefinitions(input: MeasureDefinitionValues[]): DefinitionPlan[] {
  const metrics = new Set<string>();
  const ids = new Set<string>();
  return input.map((d, i) => {
    const field = `input.measureDefinitions[${i}]`;
    const metricName = requireText(d.metricName, `${field}.metricName`, 200);
    if (metrics.has(metricName)) throw new BadUserInputError(`${field}.metricName "${metricName}" appears twice`, `${field}.metricName`);
    metrics.add(metricName);
    const definitionId = optionalText(d.definitionId, `${field}.definitionId`, 200);
    if (definitionId !== null) {
      if (ids.has(definitionId))
        throw new BadUserInputError(`${field}.definitionId "${definitionId}" appears twice`, `${field}.definitionId`);
      ids.add(definitionId);
    }
    return {
      metricName,
      unitOfMeasure: optionalText(d.unitOfMeasure, `${field}.unitOfMeasure`, 50),
      valueType: optionalText(d.valueType, `${field}.valueType`, 50),
      definitionId: definitionId ?? undefined,
    };
  });
}
