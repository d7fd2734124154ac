import type { DataSource } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import type { OutboundRequestEntity } from '../../../src/entities/outbound-request.entity';
import { untilDelivered, type Try } from '../../../src/services/inbound/awaiting-delivery';
import type { CallbackAnswer } from '../../../src/services/inbound/callback-answers';
import { Rejection } from '../../../src/services/inbound/callback-answers';

/** A data source whose transactions only run the work (what untilDelivered asks of it). */
const dataSource = { manager: {}, transaction: (work: (manager: unknown) => Promise<unknown>) => work({}) } as unknown as DataSource;
const answer = { status: 201, body: { id: 'm-1' } } as unknown as CallbackAnswer;
const deadlock = () => new QueryFailedError('SELECT … FOR UPDATE', [], Object.assign(new Error('deadlock detected'), { code: '40P01' }));

describe('untilDelivered', () => {
  it('makes a try PostgreSQL aborted for a deadlock again at once, and answers with it', async () => {
    const tries: string[] = [];
    const result = await untilDelivered(dataSource, { eventId: 'e-1' }, () => {
      tries.push('try');
      return tries.length === 1 ? Promise.reject(deadlock()) : Promise.resolve<Try>({ answer });
    });
    expect([result, tries.length]).toEqual([answer, 2]);
  });

  it('answers 503 with Retry-After once the request it answers stays undelivered, trying again meanwhile', async () => {
    const request = { number: 'FO0000001', state: 'SENDING' } as OutboundRequestEntity;
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      let tries = 0;
      let settled = false;
      const refused = untilDelivered(dataSource, { eventId: 'e-2', eventType: 'ServiceOrderStateChangeEvent' }, () => {
        tries++;
        return Promise.resolve<Try>({ notDelivered: request });
      }).catch((err: unknown) => err);
      void refused.then(() => (settled = true));
      for (let waited = 0; !settled && waited < 10_000; waited += 50) await jest.advanceTimersByTimeAsync(50);
      const err = await refused;
      expect(err).toBeInstanceOf(Rejection);
      const { answer: refusal, eventId } = err as Rejection;
      expect([refusal.status, refusal.headers, eventId]).toEqual([503, { 'retry-after': '1' }, 'e-2']);
      expect((err as Error).message).toBe('Outbound request FO0000001 is SENDING; send this again in a moment');
      // Tried again every 25 ms for the 3 s a system's answer may overtake our record of the delivery.
      expect(tries).toBeGreaterThan(50);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not try again what failed for another reason', async () => {
    let tries = 0;
    const bug = new Error('no such column');
    await expect(
      untilDelivered(dataSource, {}, () => {
        tries++;
        return Promise.reject(bug);
      }),
    ).rejects.toBe(bug);
    expect(tries).toBe(1);
  });
});
