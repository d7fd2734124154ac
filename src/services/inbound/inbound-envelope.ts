import { isObject, list, text, type Json } from '../tmf/resource-report';

/** A TMF event envelope, read leniently: whatever a v4 or v5 system, or a sloppy one, sends. */
export interface InboundEnvelope {
  eventId?: string;
  eventType?: string;
  /** eventTime, else timeOcurred (v4's spelling), else timeOccurred; absent when none parses. */
  eventTime?: Date;
  /** The resource the event carries, under the key asked for. */
  resource?: Json;
  /** TMF641 v4 InformationRequired: comma-separated field paths; v5: informationRequired[].path. */
  fieldPaths: string[];
}

/** The value under `key` in any case (serviceOrder, ServiceOrder, SERVICEORDER). */
function property(object: Json, key: string): unknown {
  if (key in object) return object[key];
  const folded = key.toLowerCase();
  const found = Object.keys(object).find((k) => k.toLowerCase() === folded);
  return found === undefined ? undefined : object[found];
}

function date(value: unknown): Date | undefined {
  const t = text(value, 100);
  if (!t) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function fieldPaths(envelope: Json, event: Json): string[] {
  const v4 = text(property(envelope, 'fieldPath')) ?? text(property(event, 'fieldPath'));
  const v5 = list(property(event, 'informationRequired') ?? property(envelope, 'informationRequired'))
    .map((i) => text(i.path) ?? text(i.fieldPath))
    .filter((p): p is string => p !== undefined);
  const paths = [...(v4 ? v4.split(',') : []), ...v5].map((p) => p.trim()).filter(Boolean);
  return [...new Set(paths)].slice(0, 100);
}

/**
 * Reads a listener event. The resource is `event.<resourceKey>` (any case); a body that is the resource
 * itself (no `event` wrapper, as some systems post) is taken as it is when it has an id.
 */
export function readEnvelope(body: Json, resourceKey: string): InboundEnvelope {
  const eventValue = property(body, 'event');
  const event = isObject(eventValue) ? eventValue : {};
  const wrapped = property(event, resourceKey);
  const resource = isObject(wrapped) ? wrapped : !isObject(eventValue) && text(body.id) ? body : undefined;
  return {
    eventId: text(property(body, 'eventId'), 200),
    eventType: text(property(body, 'eventType'), 200),
    eventTime: date(property(body, 'eventTime')) ?? date(property(body, 'timeOcurred')) ?? date(property(body, 'timeOccurred')),
    resource,
    fieldPaths: fieldPaths(body, event),
  };
}
