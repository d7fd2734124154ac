import type { ExternalSystemEntity } from '../../entities/external-system.entity';
import { BadUserInputError } from '../common/domain.errors';
import { RECORD_KINDS } from '../records/record-kinds';
import type { SouthboundClient } from '../southbound/southbound-client';

/** The system as it was before a change (null when it is being created). */
export type SystemBefore = Pick<ExternalSystemEntity, 'baseUrl' | 'hubSubscriptionId'> | null;

const refused = (message: string) => new BadUserInputError(message, 'input.registerHub');

/**
 * This gateway's listener registration at a system's TMF /hub: POST {baseUrl}/hub with the listener's
 * callback (PUBLIC_URL/callbacks/<id>/listener) when asked for and the system is enabled, DELETE
 * {baseUrl}/hub/{id} when it is disabled or no longer wanted. A hub that refuses is the admin's error to
 * see: the change that asked for it fails and nothing is kept.
 */
export class HubRegistration {
  constructor(
    private readonly southbound: SouthboundClient,
    /** Where the external systems reach this gateway; null when it was not configured. */
    private readonly publicUrl: string | null,
  ) {}

  /** Brings the registration to what `registerHub` (or, when not given, the current registration) asks for; sets hubSubscriptionId. */
  async sync(system: ExternalSystemEntity, before: SystemBefore, registerHub: boolean | null | undefined): Promise<void> {
    const wanted = (registerHub ?? (before?.hubSubscriptionId ?? null) !== null) && system.enabled;
    const current = before?.hubSubscriptionId ?? null;
    const moved = before !== null && before.baseUrl !== system.baseUrl;
    if (current && (!wanted || moved)) {
      await this.unregister(system, before!.baseUrl, current);
      system.hubSubscriptionId = null;
    }
    if (wanted && (!current || moved)) system.hubSubscriptionId = await this.register(system);
  }

  private async register(system: ExternalSystemEntity): Promise<string> {
    if (!this.publicUrl) {
      throw refused('registerHub needs PUBLIC_URL: the address at which the external systems reach this gateway (set it, then try again)');
    }
    const kind = RECORD_KINDS.find((k) => k.api === system.api)!;
    const eventTypes = Object.keys(kind.listenerEvents).map((name) => name[0].toUpperCase() + name.slice(1));
    const body = { callback: `${this.publicUrl}/callbacks/${system.id}/listener`, query: `eventType=${eventTypes.join(',')}` };
    const answer = await this.call(system, 'POST', `${system.baseUrl}/hub`, body);
    const id =
      answer.kind === 'DELIVERED' && answer.body && typeof answer.body === 'object' ? (answer.body as { id?: unknown }).id : undefined;
    if (answer.kind !== 'DELIVERED')
      throw refused(`The hub of ${system.name} (POST ${system.baseUrl}/hub) refused the registration: ${answer.failure.message}`);
    if (typeof id !== 'string' || id === '')
      throw refused(`The hub of ${system.name} accepted the registration without an id; it could never be deleted`);
    return id;
  }

  private async unregister(system: ExternalSystemEntity, baseUrl: string, id: string): Promise<void> {
    const answer = await this.call(system, 'DELETE', `${baseUrl}/hub/${encodeURIComponent(id)}`);
    // Gone already is as good as deleted.
    if (answer.kind !== 'DELIVERED' && answer.status !== 404) {
      throw refused(
        `The hub of ${system.name} (DELETE ${baseUrl}/hub/${id}) refused to remove the registration: ${answer.failure.message}`,
      );
    }
  }

  private async call(system: ExternalSystemEntity, method: string, url: string, body?: object) {
    const auth = await this.southbound.headers(system, `hub-${system.id}`);
    if ('failure' in auth) throw refused(`Could not authenticate at ${system.name}: ${auth.failure.message}`);
    return this.southbound.exchange(system, {
      method,
      url,
      headers: { ...auth.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      timeoutMs: system.timeoutMs,
    });
  }
}
