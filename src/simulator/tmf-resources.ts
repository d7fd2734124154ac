/** Resource shapes as the simulator stores and returns them (TMF641 v4.1 / TMF653 v4.2, plus whatever the client sent). */
export type Json = Record<string, unknown>;

export interface ServiceOrderItem extends Json {
  id: string;
  action: string;
  state: string;
  service: Json;
  serviceOrderItem?: ServiceOrderItem[];
  errorMessage?: Json[];
}

export interface ServiceOrder extends Json {
  id: string;
  href: string;
  state: string;
  externalId?: string;
  orderDate: string;
  serviceOrderItem: ServiceOrderItem[];
  errorMessage?: Json[];
  milestone?: Json[];
  jeopardyAlert?: Json[];
}

export interface CancelServiceOrder extends Json {
  id: string;
  href: string;
  state: string;
  serviceOrder: { id: string; href?: string; '@referredType': 'ServiceOrder' };
}

export interface ServiceTest extends Json {
  id: string;
  href: string;
  name: string;
  state: string;
  testMeasure?: Json[];
}

export interface ServiceTestSpecification extends Json {
  id: string;
  href: string;
  name: string;
  testMeasureDefinition?: Json[];
}

export const TERMINAL_ORDER_STATES: ReadonlySet<string> = new Set(['completed', 'failed', 'partial', 'cancelled', 'rejected']);
export const TERMINAL_TEST_STATES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'rejected']);

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Depth-first, parents before children: the order in which the simulator works through items. */
export function* walkItems(items: ServiceOrderItem[] | undefined): Generator<ServiceOrderItem> {
  for (const item of items ?? []) {
    yield item;
    yield* walkItems(item.serviceOrderItem);
  }
}

export function findItem(items: ServiceOrderItem[], id: string): ServiceOrderItem | undefined {
  for (const item of walkItems(items)) if (item.id === id) return item;
  return undefined;
}

/**
 * RFC 7386 merge of `patch` into `target` (in place): null removes, objects merge, anything else
 * (arrays included) replaces.
 */
export function mergePatch(target: Json, patch: Json): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (isObject(value) && isObject(target[key])) mergePatch(target[key], value);
    else target[key] = structuredClone(value);
  }
}
