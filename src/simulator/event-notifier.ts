import { randomUUID } from 'node:crypto';
import type { CallbackDelivery } from './callback-delivery';
import type { EventFaults } from './fault-injection';
import type { HubRegistry, TmfApi } from './hub-registry';
import type { NotifyMode } from './simulator.config';
import { walkItems, type Json, type ServiceOrder } from './tmf-resources';

export type ResourceKind = 'serviceOrder' | 'cancelServiceOrder' | 'serviceTest' | 'serviceTestSpecification';
/** The TMF641 v4.1 / TMF653 v4.2 event names are `<kind><action>Event`; not every kind has every action. */
export type EventAction = 'Create' | 'StateChange' | 'AttributeValueChange' | 'Delete' | 'InformationRequired' | 'Milestone' | 'Jeopardy';

/** Something that happened to a resource; `resource` is a snapshot taken when it happened. */
export interface ResourceEvent {
  kind: ResourceKind;
  action: EventAction;
  resource: Json;
  /** Events with the same key are delivered in order; an order and its cancel tasks share the order's id. */
  streamKey: string;
  faults: EventFaults;
  /** AttributeValueChange: the changed fields; InformationRequired: the fields asked for (comma-separated). */
  fieldPath?: string;
  /** A sentence for a person, e.g. what information is needed. */
  description?: string;
}

/** The TMF v4 event envelope (`timeOcurred` is the v4 spelling). */
export interface TmfEventEnvelope {
  eventId: string;
  eventTime: string;
  eventType: string;
  timeOcurred: string;
  fieldPath?: string;
  description?: string;
  event: Record<string, Json>;
}

/** The compact status call some southbound systems make instead of TMF events. */
export interface OutboundResponse {
  externalId: string;
  serviceOrderItem: Array<{ id: string; state: 'pending' | 'fulfilled' | 'error' }>;
}

/** The compact status call for a test: `PATCH {callback}/serviceTest/{id}` with this TMF653 ServiceTest body. */
export interface ServiceTestStatus {
  state: string;
  testMeasure?: Json[];
}

export interface NotifySettings {
  callbackUrl?: string;
  callbackToken?: string;
  notify: NotifyMode;
}

const BAD_TOKEN = 'Bearer invalid-token';

/**
 * Turns resource events into callbacks: TMF events to every hub subscriber of the API, and to the
 * configured callback URL in `events` mode, or the compact status calls in `outboundresponse` mode
 * (orders: POST outboundresponse; tests: PATCH serviceTest/{id}). Applies the event faults (duplicate,
 * out of order, unknown order, bad token) on the way.
 */
export class EventNotifier {
  /** Out-of-order streams: the event waiting to be sent after its successor. */
  private readonly held = new Map<string, ResourceEvent>();
  /** Last compact status sent per order or test, so that only changes are sent. */
  private readonly lastCompact = new Map<string, string>();

  constructor(
    private readonly hubs: HubRegistry,
    private readonly delivery: CallbackDelivery,
    private readonly settings: () => NotifySettings,
  ) {}

  /** Whether anyone would receive events of this kind; lets the stores skip snapshots nobody reads. */
  wants(kind: ResourceKind): boolean {
    const { callbackUrl, notify } = this.settings();
    if (callbackUrl && (notify === 'events' || (notify === 'outboundresponse' && hasStatusCall(kind)))) return true;
    return this.hubs.has(apiOf(kind));
  }

  publish(event: ResourceEvent): void {
    if (!event.faults.outOfOrderEvents) return this.dispatch(event);
    const held = this.held.get(event.streamKey);
    if (!held) {
      this.held.set(event.streamKey, event);
      return;
    }
    this.held.delete(event.streamKey);
    this.dispatch(event);
    this.dispatch(held);
  }

  /** The resource will not change on its own any more: send what an out-of-order stream still holds. */
  settle(streamKey: string): void {
    const held = this.held.get(streamKey);
    if (!held) return;
    this.held.delete(streamKey);
    this.dispatch(held);
  }

  reset(): void {
    this.held.clear();
    this.lastCompact.clear();
  }

  private dispatch(event: ResourceEvent): void {
    const eventType = `${event.kind[0].toUpperCase()}${event.kind.slice(1)}${event.action}Event`;
    const eventName = `${event.kind}${event.action}Event`;
    const envelope = envelopeOf(event, eventType);
    const { callbackUrl, callbackToken, notify } = this.settings();
    const authorization = event.faults.badToken ? BAD_TOKEN : callbackToken ? `Bearer ${callbackToken}` : undefined;
    const copies = event.faults.duplicateEvent ? 2 : 1;
    const send = (base: string, path: string, body: unknown, label: string, method: 'POST' | 'PATCH' = 'POST') => {
      for (let i = 0; i < copies; i++) {
        const delivery = { method, url: `${base}${path}`, body, authorization, label, eventId: envelope.eventId };
        this.delivery.enqueue(`${base}|${event.streamKey}`, delivery);
      }
    };
    for (const callback of this.hubs.callbacksFor(apiOf(event.kind), eventType))
      send(trimSlash(callback), `/listener/${eventName}`, envelope, eventType);
    if (callbackUrl && notify === 'events') send(trimSlash(callbackUrl), `/listener/${eventName}`, envelope, eventType);
    const call = callbackUrl && notify === 'outboundresponse' ? this.statusCall(event) : undefined;
    if (callbackUrl && call) send(trimSlash(callbackUrl), call.path, call.body, call.label, call.method);
    if (event.action === 'Create' && event.faults.unknownOrderEvent) this.dispatch(unknownResourceEvent(event));
  }

  /** The compact status call for an event, when its resource has one and its states changed since the last call. */
  private statusCall(event: ResourceEvent): { path: string; body: unknown; label: string; method: 'POST' | 'PATCH' } | undefined {
    if (event.action === 'Delete') return undefined; // a resource that is gone has no state to report
    const { resource } = event;
    const id = resource.id as string;
    // The receiving system correlates orders on externalId only.
    if (event.kind === 'serviceOrder' && resource.externalId !== undefined) {
      const body = this.changedCompact(id, outboundResponseOf(resource as ServiceOrder));
      return body && { path: '/serviceOrder/outboundresponse', body, label: 'outboundresponse', method: 'POST' };
    }
    if (event.kind === 'serviceTest') {
      const body = this.changedCompact(id, serviceTestStatusOf(resource));
      return body && { path: `/serviceTest/${encodeURIComponent(id)}`, body, label: 'serviceTestStatus', method: 'PATCH' };
    }
    return undefined;
  }

  private changedCompact<T>(id: string, compact: T): T | undefined {
    const text = JSON.stringify(compact);
    if (this.lastCompact.get(id) === text) return undefined;
    this.lastCompact.set(id, text);
    return compact;
  }
}

function envelopeOf(event: ResourceEvent, eventType: string): TmfEventEnvelope {
  const now = new Date().toISOString();
  const envelope: TmfEventEnvelope = {
    eventId: randomUUID(),
    eventTime: now,
    eventType,
    timeOcurred: now,
    event: { [event.kind]: event.resource },
  };
  if (event.fieldPath !== undefined) envelope.fieldPath = event.fieldPath;
  if (event.description !== undefined) envelope.description = event.description;
  return envelope;
}

function apiOf(kind: ResourceKind): TmfApi {
  return kind === 'serviceTest' || kind === 'serviceTestSpecification' ? 'TMF653' : 'TMF641';
}

function hasStatusCall(kind: ResourceKind): boolean {
  return kind === 'serviceOrder' || kind === 'serviceTest';
}

/** Item states (every depth, parents first) in the compact vocabulary. */
export function outboundResponseOf(order: ServiceOrder): OutboundResponse {
  const items = [...walkItems(order.serviceOrderItem)].map((item) => ({ id: item.id, state: compactState(item.state) }));
  return { externalId: order.externalId ?? '', serviceOrderItem: items };
}

/**
 * The state and results of a test, as its compact status call carries them: only measures that have a
 * value, because the receiver takes every testMeasure[] entry as a result.
 */
export function serviceTestStatusOf(test: Json): ServiceTestStatus {
  const status: ServiceTestStatus = { state: String(test.state) };
  const measured = Array.isArray(test.testMeasure) ? (test.testMeasure as Json[]).filter((m) => m.value !== undefined) : [];
  if (measured.length > 0) status.testMeasure = measured;
  return status;
}

export function compactState(state: string): 'pending' | 'fulfilled' | 'error' {
  if (state === 'completed') return 'fulfilled';
  if (state === 'failed' || state === 'rejected' || state === 'partial' || state === 'cancelled') return 'error';
  return 'pending';
}

/** A state change about an order (or test) the client never created. */
function unknownResourceEvent(source: ResourceEvent): ResourceEvent {
  const id = randomUUID();
  const kind = apiOf(source.kind) === 'TMF653' ? 'serviceTest' : 'serviceOrder';
  const href = (typeof source.resource.href === 'string' ? source.resource.href : '').replace(
    /\/(serviceOrder|cancelServiceOrder|serviceTest)\/[^/]+$/,
    `/${kind}/${id}`,
  );
  const resource: Json =
    kind === 'serviceTest'
      ? { id, href, name: `unknown-${id}`, state: 'inProgress', relatedService: { id: 'unknown' }, testSpecification: { id: 'unknown' } }
      : {
          id,
          href,
          externalId: `unknown-${id}`,
          state: 'inProgress',
          orderDate: new Date().toISOString(),
          serviceOrderItem: [{ id: '1', action: 'add', state: 'inProgress', service: {} }],
        };
  resource['@type'] = kind === 'serviceTest' ? 'ServiceTest' : 'ServiceOrder';
  return { kind, action: 'StateChange', resource, streamKey: id, faults: {} };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
