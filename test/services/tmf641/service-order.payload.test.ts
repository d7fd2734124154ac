import {
  buildCancelServiceOrder,
  buildServiceOrderCreate,
  buildServiceOrderRevision,
} from '../../../src/services/tmf641/service-order.payload';
import { checkTmf } from '../../../src/services/tmf/tmf-schema';
import type { DomainOrderNode } from '../../../src/services/model/record-model';
import { domainOrder, orderChain } from '../record-factories';
import { undeclaredProperties } from '../tmf-strict';

type Item = { id: string; action: string; service: Record<string, unknown>; serviceOrderItem?: Item[] };
type Order = { serviceOrderItem: Item[] } & Record<string, unknown>;

/** Valid against the official schema and using only properties it declares. */
function expectConforming(definition: string, payload: object): void {
  expect(checkTmf('TMF641', definition, payload)).toEqual({ valid: true, violations: [] });
  expect(undeclaredProperties('TMF641', definition, payload)).toEqual([]);
}

const spec = { id: 'spec-internet', name: 'Internet Access', version: '1.0', '@type': 'ServiceSpecificationRef' };

describe('buildServiceOrderCreate', () => {
  it('builds a flat order with the root as the only item', () => {
    const order = domainOrder({
      number: 'DO0001004',
      name: 'Internet for ACME',
      characteristics: [{ name: 'bandwidth', value: '100', valueType: 'string' }],
      children: [domainOrder({ id: 'child', number: 'DO0001005' })],
    });
    const payload = buildServiceOrderCreate(order, { requestId: 'req-1', hierarchical: false });
    expect(payload).toEqual({
      externalId: 'req-1',
      category: 'CFS',
      description: 'Domain order DO0001004: Internet for ACME',
      serviceOrderItem: [
        {
          id: 'DO0001004',
          action: 'add',
          service: {
            name: 'Internet for ACME',
            serviceSpecification: spec,
            serviceCharacteristic: [{ name: 'bandwidth', value: '100', valueType: 'string' }],
            '@type': 'Service',
          },
          '@type': 'ServiceOrderItem',
        },
      ],
      '@type': 'ServiceOrder',
    });
    expectConforming('ServiceOrder_Create', payload);
  });

  it('leaves out unset fields instead of sending null', () => {
    const order = domainOrder({ number: 'DO1', category: null, serviceSpecification: { id: 's', name: null, version: undefined } });
    const payload = buildServiceOrderCreate(order, { requestId: 'req-2', hierarchical: true });
    expect(payload).toEqual({
      externalId: 'req-2',
      description: 'Domain order DO1',
      serviceOrderItem: [
        {
          id: 'DO1',
          action: 'add',
          service: { serviceSpecification: { id: 's', '@type': 'ServiceSpecificationRef' }, '@type': 'Service' },
          '@type': 'ServiceOrderItem',
        },
      ],
      '@type': 'ServiceOrder',
    });
    expect(JSON.stringify(payload)).not.toContain('null');
    expectConforming('ServiceOrder_Create', payload);
  });

  it('never sends server-owned fields', () => {
    const payload = buildServiceOrderCreate(orderChain(3), { requestId: 'r', hierarchical: true }) as Order;
    for (const key of ['id', 'href', 'state', 'orderDate', 'completionDate', 'expectedCompletionDate', 'startDate']) {
      expect(payload).not.toHaveProperty(key);
    }
    expect(JSON.stringify(payload)).not.toContain('"state"');
  });

  it('nests a deep tree (8 levels) exactly along the parent chain', () => {
    const payload = buildServiceOrderCreate(orderChain(8), { requestId: 'r', hierarchical: true }) as Order;
    const path: string[] = [];
    let items: Item[] | undefined = payload.serviceOrderItem;
    while (items) {
      expect(items).toHaveLength(1);
      path.push(items[0].id);
      items = items[0].serviceOrderItem;
    }
    expect(path).toEqual(['DO0002000', 'DO0002001', 'DO0002002', 'DO0002003', 'DO0002004', 'DO0002005', 'DO0002006', 'DO0002007']);
    expect(
      payload.serviceOrderItem[0].serviceOrderItem?.[0].serviceOrderItem?.[0].serviceOrderItem?.[0].serviceOrderItem?.[0]
        .serviceOrderItem?.[0].id,
    ).toBe('DO0002005');
    expectConforming('ServiceOrder_Create', payload);
  });

  it('sends only the root of a deep tree when not hierarchical', () => {
    const payload = buildServiceOrderCreate(orderChain(8), { requestId: 'r', hierarchical: false }) as Order;
    expect(payload.serviceOrderItem).toHaveLength(1);
    expect(payload.serviceOrderItem[0].id).toBe('DO0002000');
    expect(payload.serviceOrderItem[0]).not.toHaveProperty('serviceOrderItem');
  });

  it('nests a branching tree under the right parents', () => {
    const leaf = (n: string) => domainOrder({ id: n, number: n });
    const root = domainOrder({
      number: 'R',
      children: [domainOrder({ number: 'A', children: [leaf('A1'), leaf('A2')] }), domainOrder({ number: 'B', children: [leaf('B1')] })],
    });
    const payload = buildServiceOrderCreate(root, { requestId: 'r', hierarchical: true }) as Order;
    const shape = (items: Item[] | undefined): unknown => items?.map((i) => [i.id, shape(i.serviceOrderItem)]);
    expect(shape(payload.serviceOrderItem)).toEqual([
      [
        'R',
        [
          [
            'A',
            [
              ['A1', undefined],
              ['A2', undefined],
            ],
          ],
          ['B', [['B1', undefined]]],
        ],
      ],
    ]);
    expectConforming('ServiceOrder_Create', payload);
  });

  it('carries 1,000 children, each once and in order', () => {
    const children = Array.from({ length: 1000 }, (_, i) => domainOrder({ id: `c${i}`, number: `DO${String(i).padStart(7, '0')}` }));
    const payload = buildServiceOrderCreate(domainOrder({ number: 'ROOT', children }), { requestId: 'r', hierarchical: true }) as Order;
    const ids = payload.serviceOrderItem[0].serviceOrderItem?.map((i) => i.id);
    expect(ids).toEqual(children.map((c) => c.number));
    expect(new Set(ids).size).toBe(1000);
    expectConforming('ServiceOrder_Create', payload);
  });

  it('gives each action its service shape', () => {
    const chars = [{ name: 'bandwidth', value: '200' }];
    const children: DomainOrderNode[] = [
      domainOrder({ number: 'ADD', action: 'ADD', name: 'new', serviceId: 'ignored', characteristics: chars }),
      domainOrder({ number: 'MOD', action: 'MODIFY', name: 'not sent', serviceId: 'svc-2', characteristics: chars }),
      domainOrder({ number: 'MOD0', action: 'MODIFY', serviceId: 'svc-3' }),
      domainOrder({ number: 'DEL', action: 'DELETE', serviceId: 'svc-4', characteristics: chars }),
      domainOrder({ number: 'NC-ID', action: 'NO_CHANGE', serviceId: 'svc-5', characteristics: chars }),
      domainOrder({ number: 'NC-SPEC', action: 'NO_CHANGE', serviceId: null, characteristics: chars }),
    ];
    const payload = buildServiceOrderCreate(domainOrder({ number: 'ROOT', children }), { requestId: 'r', hierarchical: true }) as Order;
    const items = payload.serviceOrderItem[0].serviceOrderItem as Item[];
    expect(items.map((i) => [i.id, i.action])).toEqual([
      ['ADD', 'add'],
      ['MOD', 'modify'],
      ['MOD0', 'modify'],
      ['DEL', 'delete'],
      ['NC-ID', 'noChange'],
      ['NC-SPEC', 'noChange'],
    ]);
    const tmfChars = [{ name: 'bandwidth', value: '200' }];
    expect(items.map((i) => i.service)).toEqual([
      { name: 'new', serviceSpecification: spec, serviceCharacteristic: tmfChars, '@type': 'Service' },
      { id: 'svc-2', serviceSpecification: spec, serviceCharacteristic: tmfChars, '@type': 'Service' },
      { id: 'svc-3', serviceSpecification: spec, '@type': 'Service' },
      { id: 'svc-4', serviceSpecification: spec, '@type': 'Service' },
      { id: 'svc-5', '@type': 'Service' },
      { serviceSpecification: spec, '@type': 'Service' },
    ]);
    expectConforming('ServiceOrder_Create', payload);
  });

  it('preserves characteristic values with special characters exactly', () => {
    const values = ['say "hi"', 'C:\\path\\to', 'ünïcödé ✓ 日本語 🚀', '<a href="x">&amp;</a>', 'line1\nline2\r\n\ttab', '', "it's"];
    const characteristics = values.map((value, i) => ({ name: `c${i} "n"\\`, value }));
    const payload = buildServiceOrderCreate(domainOrder({ characteristics }), { requestId: 'r', hierarchical: false }) as Order;
    const roundTripped = JSON.parse(JSON.stringify(payload)) as Order;
    expect(roundTripped.serviceOrderItem[0].service.serviceCharacteristic).toEqual(characteristics);
    expectConforming('ServiceOrder_Create', roundTripped);
  });

  it('is caught by the schema when an item has a bad action', () => {
    const payload = buildServiceOrderCreate(domainOrder(), { requestId: 'r', hierarchical: false }) as Order;
    const broken = { ...payload, serviceOrderItem: [{ ...payload.serviceOrderItem[0], action: 'ADD' }] };
    const check = checkTmf('TMF641', 'ServiceOrder_Create', broken);
    expect(check.valid).toBe(false);
    expect(check.violations).toEqual([{ path: '/serviceOrderItem/0/action', message: 'must be equal to one of the allowed values' }]);
  });

  it('strict check reports invented properties that the schema lets through', () => {
    const payload = buildServiceOrderCreate(domainOrder(), { requestId: 'r', hierarchical: false }) as Order;
    const item = payload.serviceOrderItem[0];
    const invented = {
      ...payload,
      orderNumber: 'x',
      serviceOrderItem: [{ ...item, service: { ...item.service, serviceCharacteristics: [] } }],
    };
    expect(checkTmf('TMF641', 'ServiceOrder_Create', invented).valid).toBe(true);
    expect(undeclaredProperties('TMF641', 'ServiceOrder_Create', invented)).toEqual([
      '/serviceOrderItem/0/service/serviceCharacteristics',
      '/orderNumber',
    ]);
  });
});

describe('buildServiceOrderRevision', () => {
  it('sends the changed orders as flat modify items', () => {
    const changed = [
      domainOrder({
        number: 'DO1',
        action: 'ADD',
        serviceId: null,
        characteristics: [{ name: 'bw', value: '1G' }],
        children: [domainOrder({ number: 'DO9' })],
      }),
      domainOrder({
        number: 'DO2',
        action: 'MODIFY',
        serviceId: 'svc-2',
        characteristics: [{ name: 'bw', value: '2G', valueType: 'string' }],
      }),
    ];
    const payload = buildServiceOrderRevision(changed, { requestId: 'req-7' });
    expect(payload).toEqual({
      externalId: 'req-7',
      serviceOrderItem: [
        {
          id: 'DO1',
          action: 'modify',
          service: { serviceSpecification: spec, serviceCharacteristic: [{ name: 'bw', value: '1G' }], '@type': 'Service' },
          '@type': 'ServiceOrderItem',
        },
        {
          id: 'DO2',
          action: 'modify',
          service: {
            id: 'svc-2',
            serviceSpecification: spec,
            serviceCharacteristic: [{ name: 'bw', value: '2G', valueType: 'string' }],
            '@type': 'Service',
          },
          '@type': 'ServiceOrderItem',
        },
      ],
    });
    expectConforming('ServiceOrder_Update', payload);
  });

  it('refuses an empty revision', () => {
    expect(() => buildServiceOrderRevision([], { requestId: 'r' })).toThrow(
      'A service order revision needs at least one changed domain order',
    );
  });
});

describe('buildCancelServiceOrder', () => {
  it('references the external order and carries the reason', () => {
    const payload = buildCancelServiceOrder('ext-55', 'Customer withdrew');
    expect(payload).toEqual({
      serviceOrder: { id: 'ext-55', '@referredType': 'ServiceOrder' },
      cancellationReason: 'Customer withdrew',
      '@type': 'CancelServiceOrder',
    });
    expectConforming('CancelServiceOrder_Create', payload);
  });

  it('leaves the reason out when there is none', () => {
    for (const reason of [undefined, null, '']) {
      const payload = buildCancelServiceOrder('ext-55', reason);
      expect(payload).toEqual({ serviceOrder: { id: 'ext-55', '@referredType': 'ServiceOrder' }, '@type': 'CancelServiceOrder' });
      expectConforming('CancelServiceOrder_Create', payload);
    }
  });
});
