import { randomUUID } from 'node:crypto';
import type { EventAction, EventNotifier } from './event-notifier';
import { SEEDED_SPECIFICATIONS } from './service-test-specification.seed';
import { notFound } from './simulator.errors';
import { mergePatch, type Json, type ServiceTestSpecification } from './tmf-resources';

const IGNORED_ON_WRITE = ['id', 'href'];

/**
 * In-memory TMF653 service test specifications: the seeded catalogue, plus what clients create, change
 * and delete. Every change is reported as its serviceTestSpecification event (a specification has no
 * state of its own, so there is no state change event).
 */
export class ServiceTestSpecificationStore {
  private readonly specifications = new Map<string, ServiceTestSpecification>();

  constructor(private readonly notifier: EventNotifier) {}

  /** Restores the seeded catalogue, with hrefs under `baseUrl` (the TMF653 API root). */
  reset(baseUrl: string): void {
    this.specifications.clear();
    for (const seed of SEEDED_SPECIFICATIONS) {
      const specification = { ...structuredClone(seed), href: hrefOf(baseUrl, seed.id), '@type': 'ServiceTestSpecification' };
      this.specifications.set(seed.id, specification);
    }
  }

  /** ServiceTestSpecification_Create already validated; the server sets id, href and lastUpdate. */
  create(body: Json, baseUrl: string): ServiceTestSpecification {
    const request = { ...body };
    for (const field of IGNORED_ON_WRITE) delete request[field];
    const id = randomUUID();
    const specification = {
      id,
      href: hrefOf(baseUrl, id),
      ...structuredClone(request),
      name: String(body.name),
      lastUpdate: new Date().toISOString(),
    } as ServiceTestSpecification;
    specification['@type'] ??= 'ServiceTestSpecification';
    this.specifications.set(id, specification);
    this.emit(specification, 'Create');
    return structuredClone(specification);
  }

  get(id: string): ServiceTestSpecification | undefined {
    return this.specifications.get(id);
  }

  /** Live stored specifications, seeded ones first; callers must not modify them. */
  list(): ServiceTestSpecification[] {
    return [...this.specifications.values()];
  }

  /** Merge-patch (ServiceTestSpecification_Update already validated): testMeasureDefinition, like any array, is replaced whole. */
  patch(id: string, body: Json): ServiceTestSpecification {
    const specification = this.found(id);
    const attributes = { ...body };
    for (const field of IGNORED_ON_WRITE) delete attributes[field];
    const changed = Object.keys(attributes);
    if (changed.length === 0) return structuredClone(specification);
    mergePatch(specification, attributes);
    specification.lastUpdate = new Date().toISOString();
    this.emit(specification, 'AttributeValueChange', changed.join(','));
    return structuredClone(specification);
  }

  delete(id: string): void {
    const specification = this.found(id);
    this.specifications.delete(id);
    this.emit(specification, 'Delete');
  }

  private found(id: string): ServiceTestSpecification {
    const specification = this.specifications.get(id);
    if (!specification) throw notFound(`No serviceTestSpecification with id ${id}`);
    return specification;
  }

  private emit(specification: ServiceTestSpecification, action: EventAction, fieldPath?: string): void {
    if (!this.notifier.wants('serviceTestSpecification')) return;
    const event = {
      kind: 'serviceTestSpecification' as const,
      action,
      resource: structuredClone(specification),
      streamKey: specification.id,
      faults: {},
    };
    this.notifier.publish(fieldPath === undefined ? event : { ...event, fieldPath });
  }
}

function hrefOf(baseUrl: string, id: string): string {
  return `${baseUrl}/serviceTestSpecification/${encodeURIComponent(id)}`;
}
