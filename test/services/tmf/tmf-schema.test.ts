import { assertValidPayload } from '../../../src/services/tmf/tmf-schema';

describe('assertValidPayload', () => {
  it('passes a valid payload', () => {
    expect(() => assertValidPayload('TMF641', 'CancelServiceOrder_Create', { serviceOrder: { id: 'x' } })).not.toThrow();
  });

  it('throws naming every violation', () => {
    const bad = { serviceOrderItem: [{ id: 'DO1', action: 'create' }, { id: 7, action: 'add', service: {} }] };
    expect(() => assertValidPayload('TMF641', 'ServiceOrder_Create', bad)).toThrow(
      'Invalid TMF641 ServiceOrder_Create payload: ' +
        "/serviceOrderItem/0/service: must have required property 'service'; " +
        '/serviceOrderItem/0/action: must be equal to one of the allowed values; ' +
        '/serviceOrderItem/1/id: must be string',
    );
  });
});
