import { OutboundOperation } from '../../../entities/enums';
import type { ExternalSystemEntity } from '../../../entities/external-system.entity';
import { recordKind } from '../../records/record-kinds';
import type { Exchange, SouthboundClient } from '../../southbound/southbound-client';

/** What an attempt needs of an outbound request, as the claim returned it. */
export interface SendingRequest {
  id: string;
  number: string;
  requestId: string;
  subject: string;
  operation: OutboundOperation;
  httpMethod: string;
  path: string;
  /** The payload as JSON text (UTF-8), sent as it is. */
  body: Buffer;
  /** An earlier attempt may have reached the system: a CREATE is looked up before it is sent again. */
  outcomeUnknown: boolean;
}

/**
 * One attempt at one outbound request: authenticate, send, classify. A CREATE whose earlier attempt
 * may have reached the system (lease expired mid-send, or a timeout) is first looked up by its
 * correlation key (the record kind's look-up path) and only sent again if it is not there.
 */
export class OutboundSender {
  constructor(private readonly client: SouthboundClient) {}

  async attempt(row: SendingRequest, system: ExternalSystemEntity): Promise<Exchange> {
    const auth = await this.client.headers(system, row.requestId);
    if ('failure' in auth) return { kind: 'FAILED', failure: auth.failure };
    if (row.outcomeUnknown && row.operation === OutboundOperation.CREATE) {
      const found = await this.lookUp(row, system, auth.headers);
      if (found.kind !== 'NOT_FOUND') return found.attempt;
    }
    return this.client.exchange(system, {
      method: row.httpMethod,
      url: system.baseUrl + row.path,
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: row.body,
      timeoutMs: system.timeoutMs,
    });
  }

  private async lookUp(
    row: SendingRequest,
    system: ExternalSystemEntity,
    headers: Record<string, string>,
  ): Promise<{ kind: 'FOUND' | 'FAILED'; attempt: Exchange } | { kind: 'NOT_FOUND' }> {
    const path = recordKind(row.subject).lookUpPath(row.requestId, row.body.toString('utf8'));
    const attempt = await this.client.exchange(system, { method: 'GET', url: system.baseUrl + path, headers, timeoutMs: system.timeoutMs });
    if (attempt.kind !== 'DELIVERED') return { kind: 'FAILED', attempt: { ...attempt, outcomeUnknown: true } };
    const list = Array.isArray(attempt.body) ? attempt.body : [];
    if (list.length === 0) return { kind: 'NOT_FOUND' };
    return { kind: 'FOUND', attempt: { kind: 'DELIVERED', status: attempt.status, body: list[0], bodyJson: JSON.stringify(list[0]) } };
  }
}
