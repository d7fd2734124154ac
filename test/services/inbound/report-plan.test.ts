import { CancellationState, ErrorCategory, FulfillmentState } from '../../../src/entities/enums';
import { planReport, type PlanInput, type PlanRecord } from '../../../src/services/inbound/report-plan';
import { CANCELLATION_STATES, readServiceOrder, serviceOrderFulfillmentState } from '../../../src/services/tmf641/service-order.report';
import { readServiceTest, serviceTestFulfillmentState } from '../../../src/services/tmf653/service-test.report';
import { emptyReport } from '../../../src/services/tmf/resource-report';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function order(number: string, overrides: Partial<PlanRecord> = {}): PlanRecord {
  return {
    id: `id-${number}`,
    number,
    fulfillmentState: FulfillmentState.PENDING,
    externalState: 'acknowledged',
    externalId: 'SO-1',
    lastEventAt: null,
    externalErrors: [],
    milestones: [],
    jeopardyAlerts: [],
    informationRequired: null,
    pointOfNoReturn: false,
    state: 'IN_PROGRESS',
    stateBeforeCancellation: null,
    ...overrides,
  };
}

function input(overrides: Partial<PlanInput> & Pick<PlanInput, 'records' | 'report'>): PlanInput {
  return {
    resourceId: 'SO-1',
    meaning: 'resource',
    eventTime: at(10),
    receivedAt: at(11),
    fulfillmentStateOf: serviceOrderFulfillmentState,
    stillCancelling: (s) => CANCELLATION_STATES.has(s),
    pointOfNoReturnMilestone: 'pointOfNoReturn',
    cancellation: null,
    canceledColumns: { state: 'CANCELED', stateBeforeCancellation: null },
    ...overrides,
  };
}

const serviceOrder = (extra: Record<string, unknown>) =>
  readServiceOrder({
    id: 'SO-1',
    state: 'inProgress',
    serviceOrderItem: [
      { id: 'DO1', state: 'completed', serviceOrderItem: [{ id: 'DO2', state: 'inProgress' }] },
      { id: 'DO3', state: 'failed' },
    ],
    ...extra,
  });

describe('planReport', () => {
  it('gives each record its own item state (nested items too), the order state where its item says none', () => {
    const records = [order('DO0'), order('DO1'), order('DO2'), order('DO3')];
    const plan = planReport(input({ records, report: serviceOrder({}) }));
    const changes = Object.fromEntries(plan.updates.map((u) => [u.record.number, u.stateChange]));
    // DO0 and DO2 stay PENDING; their external state changes all the same, and that is a change to announce.
    expect(changes).toEqual({
      DO0: { previous: 'PENDING', next: 'PENDING', externalState: 'inProgress' },
      DO1: { previous: 'PENDING', next: 'FULFILLED', externalState: 'completed' },
      DO2: { previous: 'PENDING', next: 'PENDING', externalState: 'inProgress' },
      DO3: { previous: 'PENDING', next: 'ERROR', externalState: 'failed' },
    });
    expect(plan.fallouts).toEqual([
      { category: ErrorCategory.EXTERNAL_FAILURE, message: 'The external system reported DO3 failed', recordIds: ['id-DO3'] },
    ]);
  });

  it('reads states in any case and leaves alone a record that already shows them', () => {
    const records = [order('DO0', { externalState: 'inProgress' })];
    const plan = planReport(input({ records, report: readServiceOrder({ id: 'SO-1', state: 'INPROGRESS' }) }));
    expect(plan.updates).toEqual([]);
    expect(plan.staleReason).toBe('Nothing to change: DO0 already shows all of it');
  });

  it('does not move a record that saw a later event, nor one that was sent to another resource since', () => {
    const records = [order('DO0', { lastEventAt: at(20) }), order('DO1', { externalId: 'SO-2' })];
    const plan = planReport(input({ records, report: readServiceOrder({ id: 'SO-1', state: 'completed' }) }));
    expect(plan.updates).toEqual([]);
    expect(plan.staleReason).toBe(
      'Nothing to change: DO0 already shows a later event (2026-12-01T10:00:20.000Z); DO1 was sent to another resource since (SO-2)',
    );
  });

  it('never takes a final record back to a state that is not final, but lets a newer final one replace it', () => {
    const fulfilled = order('DO0', { fulfillmentState: FulfillmentState.FULFILLED, externalState: 'completed' });
    expect(planReport(input({ records: [fulfilled], report: readServiceOrder({ id: 'SO-1', state: 'inProgress' }) })).updates).toEqual([]);
    const cancelled = planReport(input({ records: [fulfilled], report: readServiceOrder({ id: 'SO-1', state: 'cancelled' }) }));
    expect(cancelled.updates[0].set).toMatchObject({ fulfillmentState: 'CANCELED', state: 'CANCELED', externalState: 'cancelled' });
  });

  it('cancels a test run with only the columns a test run has (a run has no state of its own to restore)', () => {
    const run: PlanRecord = {
      id: 'id-TR1',
      number: 'TR1',
      fulfillmentState: FulfillmentState.PENDING,
      externalState: 'pending',
      externalId: 'ST-1',
      lastEventAt: null,
      externalErrors: [],
    };
    const plan = planReport(
      input({
        records: [run],
        resourceId: 'ST-1',
        report: readServiceTest({ id: 'ST-1', state: 'cancelled' }),
        fulfillmentStateOf: serviceTestFulfillmentState,
        canceledColumns: {},
      }),
    );
    expect(plan.updates.map((u) => u.set)).toEqual([{ fulfillmentState: 'CANCELED', externalState: 'cancelled', lastEventAt: at(10) }]);
  });

  it('keeps reported errors once (with the records they name) and puts them in the fallout', () => {
    const report = serviceOrder({
      errorMessage: [{ code: 'E42', reason: 'No port', message: 'No free port on the OLT', serviceOrderItem: [{ itemId: 'DO3' }] }],
    });
    const records = [order('DO1'), order('DO3')];
    const plan = planReport(input({ records, report }));
    const do3 = plan.updates.find((u) => u.record.number === 'DO3')!;
    expect(do3.set.externalErrors).toEqual([
      { code: 'E42', reason: 'No port', message: 'No free port on the OLT', status: null, receivedAt: '2026-12-01T10:00:11.000Z' },
    ]);
    expect(plan.updates.find((u) => u.record.number === 'DO1')!.set.externalErrors).toBeUndefined();
    expect(plan.fallouts[0].message).toBe('The external system reported DO3 failed: E42: No port: No free port on the OLT');
    const again = planReport(
      input({
        records: [
          order('DO3', {
            externalErrors: do3.set.externalErrors as never,
            fulfillmentState: FulfillmentState.ERROR,
            externalState: 'failed',
          }),
        ],
        report,
      }),
    );
    expect(again.updates).toEqual([]);
  });

  it('adds milestones once; the point-of-no-return one (any case) sets pointOfNoReturn', () => {
    const report = readServiceOrder({
      id: 'SO-1',
      milestone: [{ id: 'm1', name: 'POINTOFNORETURN', milestoneDate: '2026-12-01T09:00:00Z' }],
    });
    const plan = planReport(input({ records: [order('DO0')], report }));
    expect(plan.updates[0].set).toMatchObject({
      pointOfNoReturn: true,
      milestones: [expect.objectContaining({ id: 'm1', name: 'POINTOFNORETURN' })],
    });
    const seen = order('DO0', { milestones: plan.updates[0].set.milestones as never, pointOfNoReturn: true });
    expect(planReport(input({ records: [seen], report })).updates).toEqual([]);
  });

  it('opens one JEOPARDY fallout per alert, for every record it names', () => {
    const report = readServiceOrder({
      id: 'SO-1',
      jeopardyAlert: [{ id: 'j1', name: 'Late', jeopardyType: 'Hazard', message: 'Truck roll delayed' }],
    });
    const plan = planReport(input({ records: [order('DO0'), order('DO1')], report }));
    expect(plan.fallouts).toEqual([
      { category: ErrorCategory.JEOPARDY, message: 'Jeopardy "Late" (Hazard: Truck roll delayed) [j1]', recordIds: ['id-DO0', 'id-DO1'] },
    ]);
  });

  it('an information request sets informationRequired on the orders not final, with one fallout', () => {
    const plan = planReport(
      input({
        records: [order('DO0'), order('DO1', { fulfillmentState: FulfillmentState.FULFILLED })],
        report: emptyReport(),
        meaning: 'informationRequired',
        fieldPaths: ['a.b', 'c'],
      }),
    );
    expect(plan.updates.map((u) => [u.record.number, u.set.informationRequired])).toEqual([
      ['DO0', { fieldPaths: ['a.b', 'c'], message: null, receivedAt: '2026-12-01T10:00:11.000Z' }],
    ]);
    expect(plan.fallouts.map((f) => [f.category, f.recordIds])).toEqual([[ErrorCategory.INFORMATION_REQUIRED, ['id-DO0']]]);
  });

  it('reads the order going on after its cancellation was acknowledged as a refusal', () => {
    const cancelling = order('DO0', { state: 'CANCELLATION_IN_PROGRESS', stateBeforeCancellation: 'IN_PROGRESS' });
    const acknowledged = { state: CancellationState.ACKNOWLEDGED, requestedAt: at(5) };
    const going = planReport(
      input({ records: [cancelling], report: readServiceOrder({ id: 'SO-1', state: 'inProgress' }), cancellation: acknowledged }),
    );
    expect(going.cancellationRefusal).toEqual({
      recordIds: ['id-DO0'],
      message: 'The external system went on with DO0 (inProgress) instead of cancelling it',
    });
    // Items keep their own state while the order is assessed: the order's state decides.
    const itemsGoingOn = planReport(
      input({
        records: [cancelling],
        report: readServiceOrder({ id: 'SO-1', state: 'assessingCancellation', serviceOrderItem: [{ id: 'DO0', state: 'inProgress' }] }),
        cancellation: acknowledged,
      }),
    );
    expect(itemsGoingOn.cancellationRefusal).toBeNull();
    const assessing = planReport(
      input({
        records: [cancelling],
        report: readServiceOrder({ id: 'SO-1', state: 'assessingCancellation' }),
        cancellation: acknowledged,
      }),
    );
    expect(assessing.cancellationRefusal).toBeNull();
    // Before the system answered the cancellation, an order still in progress is no refusal yet.
    const early = planReport(
      input({
        records: [cancelling],
        report: readServiceOrder({ id: 'SO-1', state: 'inProgress' }),
        cancellation: { ...acknowledged, state: CancellationState.REQUESTED },
      }),
    );
    expect(early.cancellationRefusal).toBeNull();
  });

  it('a deleted resource puts the records that were not final in ERROR', () => {
    const plan = planReport(input({ records: [order('DO0')], report: readServiceOrder({ id: 'SO-1' }), meaning: 'deleted' }));
    expect(plan.updates[0].stateChange).toEqual({ previous: 'PENDING', next: 'ERROR', externalState: 'acknowledged' });
    expect(plan.fallouts[0].message).toBe(
      'The external system reported DO0 acknowledged: deleted: The external system deleted the resource',
    );
  });
});
