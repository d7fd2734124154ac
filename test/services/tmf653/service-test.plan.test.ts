import type { TestRunNode } from '../../../src/services/model/record-model';
import { buildServiceTestCreate } from '../../../src/services/tmf653/service-test.payload';
import { planTestRunSubmission } from '../../../src/services/tmf653/service-test.plan';
import { measure, testRun, testSpecification } from '../record-factories';

// root
// ├── a
// │   ├── a1
// │   └── a2
// │       └── a2x
// └── b
function runTree(): TestRunNode {
  const r = (id: string, children: TestRunNode[] = []) => testRun({ id, number: `TR-${id}`, children });
  return r('root', [r('a', [r('a1'), r('a2', [r('a2x')])]), r('b')]);
}

describe('planTestRunSubmission', () => {
  it('plans one POST per run, parents before children, all under the same requestId', () => {
    const root = runTree();
    const plan = planTestRunSubmission(root, true, 'req-3');
    expect(plan.map((p) => p.coveredIds)).toEqual([['root'], ['a'], ['a1'], ['a2'], ['a2x'], ['b']]);
    expect(plan.map((p) => (p.payload as { name: string }).name)).toEqual([
      'TR-root-req-3',
      'TR-a-req-3',
      'TR-a1-req-3',
      'TR-a2-req-3',
      'TR-a2x-req-3',
      'TR-b-req-3',
    ]);
    for (const p of plan) {
      expect([p.operation, p.httpMethod, p.path]).toEqual(['CREATE', 'POST', '/serviceTest']);
    }
    expect(plan[3].payload).toEqual(buildServiceTestCreate(root.children[0].children[1], { requestId: 'req-3' }));
  });

  it('plans only the root run when not hierarchical', () => {
    const root = runTree();
    expect(planTestRunSubmission(root, false, 'req-4')).toEqual([
      {
        operation: 'CREATE',
        httpMethod: 'POST',
        path: '/serviceTest',
        payload: buildServiceTestCreate(root, { requestId: 'req-4' }),
        coveredIds: ['root'],
      },
    ]);
  });

  it('refuses a run whose measure definitions lack definitionIds', () => {
    const child = testRun({
      id: 'c',
      number: 'TR0000009',
      specification: testSpecification({ measureDefinitions: [measure(1), measure(2, { metricName: 'jitter', definitionId: null })] }),
    });
    const root = testRun({ children: [child] });
    expect(() => planTestRunSubmission(root, true, 'r')).toThrow(
      'Test run TR0000009 cannot be sent: measure definitions without definitionId: jitter',
    );
    expect(planTestRunSubmission(root, false, 'r')).toHaveLength(1);
  });
});
