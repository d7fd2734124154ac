import type { DomainOrderNode } from '../../../src/services/model/record-model';
import { buildServiceOrderCreate } from '../../../src/services/tmf641/service-order.payload';
import { planOrderSubmission } from '../../../src/services/tmf641/service-order.plan';
import { domainOrder } from '../record-factories';

// root
// ├── a
// │   ├── a1
// │   └── a2
// │       └── a2x
// └── b
function orderTree(): DomainOrderNode {
  const o = (id: string, children: DomainOrderNode[] = []) => domainOrder({ id, number: `DO-${id}`, children });
  return o('root', [o('a', [o('a1'), o('a2', [o('a2x')])]), o('b')]);
}

describe('planOrderSubmission', () => {
  it('plans ONE POST covering the whole tree in pre-order when hierarchical', () => {
    const root = orderTree();
    const plan = planOrderSubmission(root, true, 'req-1');
    expect(plan).toEqual([
      {
        operation: 'CREATE',
        httpMethod: 'POST',
        path: '/serviceOrder',
        payload: buildServiceOrderCreate(root, { requestId: 'req-1', hierarchical: true }),
        coveredIds: ['root', 'a', 'a1', 'a2', 'a2x', 'b'],
      },
    ]);
  });

  it('plans one POST covering only the root when not hierarchical', () => {
    const root = orderTree();
    const plan = planOrderSubmission(root, false, 'req-2');
    expect(plan).toEqual([
      {
        operation: 'CREATE',
        httpMethod: 'POST',
        path: '/serviceOrder',
        payload: buildServiceOrderCreate(root, { requestId: 'req-2', hierarchical: false }),
        coveredIds: ['root'],
      },
    ]);
  });
});
