import type { TestSpecificationEntity } from '../../entities/test-specification.entity';
import { BadUserInputError, ExternalSystemDisabledError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { TEST_RUNS } from '../records/test-run.kind';
import type { SouthboundClient } from '../southbound/southbound-client';
import { readServiceTestSpecification, type SpecificationReport } from '../tmf653/service-test-specification.report';
import { isObject } from '../tmf/resource-report';
import type { TestSpecificationService } from './test-specification.service';

/** TMF's page size for the import's GETs, and how many pages an import reads at most. */
const PAGE = 100;
const MAX_PAGES = 200;

const failed = (message: string) => new BadUserInputError(message, 'externalSystemId');

/**
 * importTestSpecifications: every page of GET {baseUrl}/serviceTestSpecification of a TMF653 system,
 * through the same client, auth, timeout and address policy as sends. Everything is read and checked
 * before anything is written; then each specification is upserted by externalId in the caller's
 * transaction, so a failed import changes nothing.
 */
export class SpecificationImport {
  constructor(
    private readonly externalSystems: ExternalSystemService,
    private readonly specifications: TestSpecificationService,
    private readonly southbound: SouthboundClient,
  ) {}

  async importFrom(ctx: RequestContext, externalSystemId: string): Promise<TestSpecificationEntity[]> {
    const system = await this.externalSystems.require(ctx, externalSystemId, 'externalSystemId');
    if (system.api !== TEST_RUNS.api) {
      throw failed(`${system.name} is a ${system.api} system; test specifications are imported from a ${TEST_RUNS.api} system`);
    }
    if (!system.enabled) throw new ExternalSystemDisabledError(`External system ${system.name} is disabled; enable it to import from it`);
    const reports = await this.fetchAll(system);
    const out: TestSpecificationEntity[] = [];
    for (const report of reports) {
      const { spec } = await this.specifications.upsertFromSystem(ctx, system, report);
      out.push(spec!);
    }
    return out;
  }

  private async fetchAll(system: Parameters<SouthboundClient['exchange']>[0]): Promise<SpecificationReport[]> {
    const auth = await this.southbound.headers(system, `import-${system.id}`);
    if ('failure' in auth) throw failed(`Could not authenticate at ${system.name}: ${auth.failure.message}`);
    const reports: SpecificationReport[] = [];
    for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
      const url = `${system.baseUrl}/serviceTestSpecification?offset=${offset}&limit=${PAGE}`;
      const answer = await this.southbound.exchange(system, { method: 'GET', url, headers: auth.headers, timeoutMs: system.timeoutMs });
      if (answer.kind !== 'DELIVERED') {
        throw failed(
          `GET ${url} failed: ${answer.failure.message}; check that ${system.name} is up and its base URL is the TMF653 API root`,
        );
      }
      if (!Array.isArray(answer.body))
        throw failed(`GET ${url} did not answer a list of specifications (TMF653 ServiceTestSpecification[])`);
      answer.body.forEach((item, i) => reports.push(checked(item, offset + i)));
      offset += answer.body.length;
      const total = Number(header(answer.headers, 'x-total-count'));
      const more = Number.isFinite(total) ? offset < total : answer.body.length === PAGE;
      if (!more || answer.body.length === 0) return dedupe(reports);
    }
    throw failed(`${system.name} lists more than ${MAX_PAGES * PAGE} specifications; the import stops there`);
  }
}

function checked(item: unknown, index: number): SpecificationReport {
  if (!isObject(item)) throw failed(`Specification #${index + 1} of the answer is not an object`);
  const report = readServiceTestSpecification(item);
  if (!report.externalId) throw failed(`Specification #${index + 1} of the answer has no id`);
  if (!report.name) throw failed(`Specification ${report.externalId} has no name`);
  return { ...report, definitions: report.definitions ?? [] };
}

/** A specification listed on two pages (the list moved while it was read) is taken once, as last seen. */
function dedupe(reports: SpecificationReport[]): SpecificationReport[] {
  return [...new Map(reports.map((r) => [r.externalId, r])).values()];
}

function header(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}
