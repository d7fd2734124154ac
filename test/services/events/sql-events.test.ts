import { DecisionSubject, FulfillmentState, OutboundOperation, OutboundRequestState } from '../../../src/entities/enums';
import { fulfillmentEnvelopes, outboundSnapshot } from '../../../src/services/events/fulfillment-event.publisher';
import { outboundRequestEnvelope, type EventEnvelope } from '../../../src/services/events/fulfillment.events';
import { openTestDatabase, type TestDatabase } from '../../support/database';

/**
 * The dispatcher's database functions build the events of claims and deliveries in SQL; everything
 * else builds them in TypeScript. Subscribers must not be able to tell which: same topic, same fields,
 * same formats (occurredAt aside, which is the time of building).
 */
describe('events built in SQL match the TypeScript envelopes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db?.close());

  const withoutTime = (e: EventEnvelope) => ({ ...e, payload: { ...e.payload, occurredAt: 'T' } });
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

  it('outboundRequestChanged, with and without a next attempt time', async () => {
    for (const nextAttemptAt of [null, new Date('2026-03-04T05:06:07.089Z')]) {
      const values = {
        id: '6f1c2d0e-4a51-4f39-9f2b-3a0f7b1f8c11',
        externalSystemId: 'f2a7d9b4-1c3e-4e5f-8a9b-0c1d2e3f4a5b',
        requestId: 'b5a4c3d2-e1f0-4a1b-9c8d-7e6f5a4b3c2d',
        operation: OutboundOperation.REVISE,
        state: OutboundRequestState.RETRY_SCHEDULED,
        attempts: 3,
        nextAttemptAt,
      };
      const [{ event }] = await db.dataSource.query(`SELECT outbound_request_changed_event($1, $2, $3, $4, $5, $6, $7)::text AS event`, [
        values.id,
        values.externalSystemId,
        values.requestId,
        values.operation,
        values.state,
        values.attempts,
        nextAttemptAt,
      ]);
      const fromSql = JSON.parse(event) as EventEnvelope;
      expect(fromSql.payload.occurredAt).toMatch(ISO);
      expect(withoutTime(fromSql)).toEqual(withoutTime(outboundRequestEnvelope(outboundSnapshot(values))));
    }
  });

  it('fulfillmentStateChanged, for both subjects, with and without a request', async () => {
    const cases = [
      {
        subject: DecisionSubject.DOMAIN_ORDER,
        request: { id: '0d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a', requestId: 'r-1' },
        externalState: 'inProgress',
      },
      { subject: DecisionSubject.TEST_RUN, request: null, externalState: null },
      { subject: DecisionSubject.DOMAIN_ORDER, request: null, externalState: 'quote " backslash \\ ünïcødé' },
    ];
    for (const c of cases) {
      const record = {
        id: '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d',
        number: 'DO0001234',
        fulfillmentState: FulfillmentState.PENDING,
        externalState: c.externalState,
      };
      const [{ event }] = await db.dataSource.query(
        `SELECT fulfillment_state_changed_event($1, $2, $3, $4, $5, $6, $7, $8)::text AS event`,
        [
          c.subject,
          record.id,
          record.number,
          c.request?.requestId ?? null,
          'NOT_REQUESTED',
          record.fulfillmentState,
          c.externalState,
          c.request?.id ?? null,
        ],
      );
      const [fromTs] = fulfillmentEnvelopes(c.subject, [{ record, previousState: FulfillmentState.NOT_REQUESTED, request: c.request }]);
      expect(withoutTime(JSON.parse(event) as EventEnvelope)).toEqual(withoutTime(fromTs));
    }
  });
});
