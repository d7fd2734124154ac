import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import type { TestSpecificationEntity } from '../../entities/test-specification.entity';
import { BadUserInputError, ExternalSystemDisabledError } from '../common/domain.errors';
import type { RequestContext } from '../context/request-context';
import type { ExternalSystemService } from '../external-system/external-system.service';
import { TEST_RUNS } from '../records/test-run.kind';
import { SecretMask } from '../secrets/secret-mask';
import { MAX_RESPONSE_BYTES } from '../southbound/http-client';
import type { SouthboundClient } from '../southbound/southbound-client';
import { readServiceTestSpecification, type SpecificationReport } from '../tmf653/service-test-specification.report';
import { isObject } from '../tmf/resource-report';
import type { TestSpecificationService } from './test-specification.service';

/** TMF's page size for the import's GETs, and how many pages an import reads at most. */
const PAGE = 100;
const MAX_PAGES = 200;
/** The longest id and name a local copy keeps (the columns' input limit). */
const MAX_ID = 200;

/**
 * importTestSpecifications: every page of GET {baseUrl}/serviceTestSpecification of a TMF653 system,
 * through the same client, auth, timeout and address policy as sends. Everything is read and checked
 * before anything is written, outside any transaction (an import must not hold the database while it
 * waits for the system); then every specification is upserted by externalId in one transaction, so a
 * failed import changes nothing.
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
    return ctx.transaction(async () => {
      const out: TestSpecificationEntity[] = [];
      for (const report of reports) {
        const { spec } = await this.specifications.upsertFromSystem(ctx, system, report);
        out.push(spec!);
      }
      return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    });
  }

  /** Every page, checked; in externalId order (so that concurrent writers of the same copies lock them in one order). */
  private async fetchAll(system: ExternalSystemEntity): Promise<SpecificationReport[]> {
    // What the system answers is quoted in the messages below: never with its own credentials in it.
    const mask = SecretMask.of(this.externalSystems.credentials(system));
    const fail = (message: string) => failed(mask.text(message));
    const auth = await this.southbound.headers(system, `import-${system.id}`);
    if ('failure' in auth) throw fail(`Could not authenticate at ${system.name}: ${auth.failure.message}`);
    const reports = new Map<string, SpecificationReport>();
    for (let page = 0, offset = 0; page < MAX_PAGES; page++) {
      const url = `${system.baseUrl}/serviceTestSpecification?offset=${offset}&limit=${PAGE}`;
      const answer = await this.southbound.exchange(system, { method: 'GET', url, headers: auth.headers, timeoutMs: system.timeoutMs });
      if (answer.kind !== 'DELIVERED') {
        throw fail(`GET ${url} failed: ${answer.failure.message}; check that ${system.name} is up and its base URL is the TMF653 API root`);
      }
      if (answer.unreadable === 'TOO_LARGE') {
        throw fail(`GET ${url} answered more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB; the import reads pages of at most that size`);
      }
      if (answer.unreadable === 'NOT_JSON') throw fail(`GET ${url} did not answer JSON; is ${system.baseUrl} the TMF653 API root?`);
      if (!Array.isArray(answer.body)) {
        throw fail(
          `GET ${url} did not answer a list of specifications (TMF653 ServiceTestSpecification[]); is ${system.baseUrl} the TMF653 API root?`,
        );
      }
      let added = 0;
      answer.body.forEach((item, i) => {
        const report = checked(item, offset + i, fail);
        if (!reports.has(report.externalId!)) added++;
        // A specification listed on two pages (the list moved while it was read) is taken as last seen.
        reports.set(report.externalId!, report);
      });
      offset += answer.body.length;
      const total = Number(header(answer.headers, 'x-total-count'));
      if (answer.body.length === 0 || (Number.isInteger(total) && offset >= total)) return sorted(reports);
      // Without X-Total-Count, read on until a page is empty. A page with nothing new means the system
      // ignores offset: reading on would only repeat it.
      if (added === 0) {
        if (!Number.isInteger(total)) return sorted(reports);
        throw fail(
          `${system.name} says it has ${total} specifications, but GET ${url} repeated earlier ones; it must support TMF paging (offset, limit)`,
        );
      }
    }
    throw fail(`${system.name} lists more than ${MAX_PAGES * PAGE} specifications; the import stops there and imports none`);
  }
}

const failed = (message: string) => new BadUserInputError(message, 'externalSystemId');

function checked(item: unknown, index: number, fail: (message: string) => BadUserInputError): SpecificationReport {
  const which = `Specification #${index + 1} of the answer`;
  if (!isObject(item)) throw fail(`${which} is not an object`);
  const report = readServiceTestSpecification(item);
  if (!report.externalId) throw fail(`${which} has no id`);
  if (String(item.id).trim().length > MAX_ID) throw fail(`${which} has an id longer than ${MAX_ID} characters`);
  if (!report.name) throw fail(`Specification ${report.externalId} has no name`);
  return { ...report, definitions: report.definitions ?? [] };
}

function sorted(reports: Map<string, SpecificationReport>): SpecificationReport[] {
  return [...reports.values()].sort((a, b) => (a.externalId! < b.externalId! ? -1 : a.externalId! > b.externalId! ? 1 : 0));
}

function header(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}
