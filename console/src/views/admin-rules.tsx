import { useState } from 'preact/hooks';
import {
  ConsoleCreateDecisionRuleDocument,
  ConsoleDeleteDecisionRuleDocument,
  ConsoleEvaluateDecisionDocument,
  ConsoleOrdersDocument,
  ConsoleTestRunsDocument,
  type ConditionOperator,
  type ConsoleEvaluateDecisionQuery,
  type DecisionSubject,
  type RuleConditionInput,
} from '../__generated__/graphql';
import { ActionResult, ConfirmButton, JsonBlock, Section } from '../components';
import { useAction, useQuery } from '../hooks';
import type { AdminData } from './admin';

const OPERATORS: ConditionOperator[] = ['EQUALS', 'NOT_EQUALS', 'IN', 'EXISTS'];

export function DecisionRules(props: { data: AdminData; refetch: () => void }) {
  const remove = useAction(ConsoleDeleteDecisionRuleDocument, 'Rule deleted', props.refetch);
  const rules = [...props.data.decisionRules].sort((a, b) => a.subject.localeCompare(b.subject) || a.priority - b.priority);
  return (
    <Section title="Decision rules" count={rules.length}>
      <table aria-label="Decision rules">
        <thead>
          <tr>
            <th>Subject</th>
            <th>Priority</th>
            <th>Name</th>
            <th>Conditions</th>
            <th>System</th>
            <th>Hierarchical</th>
            <th>Active</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id}>
              <td>{r.subject}</td>
              <td>{r.priority}</td>
              <td>{r.name}</td>
              <td class="mono">
                {r.conditions.length === 0
                  ? 'always'
                  : r.conditions.map((c) => `${c.field} ${c.operator} ${c.values.join(',')}`).join(' and ')}
              </td>
              <td>{r.externalSystem.name}</td>
              <td>{r.hierarchical ? 'yes' : 'no'}</td>
              <td>{r.active ? 'yes' : 'no'}</td>
              <td>
                <ConfirmButton label="Delete" danger question={`Delete the rule "${r.name}"?`} onConfirm={() => remove.run({ id: r.id })} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActionResult action={remove} />
      <NewRule data={props.data} refetch={props.refetch} />
      <DryRun />
    </Section>
  );
}

/** Conditions typed one a line: `field OPERATOR value,value` (EXISTS takes no values). */
function parseConditions(text: string): RuleConditionInput[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [field = '', operator = '', ...rest] = line.split(/\s+/);
      const values = rest.join(' ');
      return { field, operator: operator.toUpperCase() as ConditionOperator, values: values ? values.split(',').map((v) => v.trim()) : [] };
    });
}

function NewRule(props: { data: AdminData; refetch: () => void }) {
  const [subject, setSubject] = useState<DecisionSubject>('DOMAIN_ORDER');
  const [name, setName] = useState('');
  const [priority, setPriority] = useState('10');
  const [hierarchical, setHierarchical] = useState(true);
  const [system, setSystem] = useState('');
  const [conditions, setConditions] = useState('');
  const create = useAction(ConsoleCreateDecisionRuleDocument, 'Rule created', props.refetch);
  const systems = props.data.externalSystems.filter(
    (s) => s.api === (subject === 'DOMAIN_ORDER' ? 'SERVICE_ORDERING_TMF641' : 'SERVICE_TEST_TMF653'),
  );
  const submit = (e: Event) => {
    e.preventDefault();
    void create.run({
      input: {
        subject,
        name,
        priority: Number(priority),
        hierarchical,
        externalSystemId: system || systems[0]?.id || '',
        conditions: parseConditions(conditions),
      },
    });
  };
  return (
    <form class="editor" onSubmit={submit} aria-label="New decision rule">
      <h3>New rule</h3>
      <label>
        Subject
        <select value={subject} onChange={(e) => setSubject(e.currentTarget.value as DecisionSubject)}>
          <option value="DOMAIN_ORDER">DOMAIN_ORDER (Service Order Outbound Policy)</option>
          <option value="TEST_RUN">TEST_RUN (Test Run Outbound Policy)</option>
        </select>
      </label>
      <label>
        Name <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Priority <input type="number" value={priority} onInput={(e) => setPriority(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" checked={hierarchical} onChange={(e) => setHierarchical(e.currentTarget.checked)} /> Hierarchical (send the
        whole tree)
      </label>
      <label>
        External system
        <select value={system || systems[0]?.id || ''} onChange={(e) => setSystem(e.currentTarget.value)}>
          {systems.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Conditions (one a line: field {OPERATORS.join('|')} value,value)
        <textarea rows={3} value={conditions} placeholder="category EQUALS CFS" onInput={(e) => setConditions(e.currentTarget.value)} />
      </label>
      <div class="buttons">
        <button type="submit" class="primary" disabled={create.busy}>
          Create rule
        </button>
      </div>
      <ActionResult action={create} />
    </form>
  );
}

/** evaluateDecision on a chosen record: which rule, which system, and the exact payloads; nothing is sent. */
function DryRun() {
  const [subject, setSubject] = useState<DecisionSubject>('DOMAIN_ORDER');
  const [id, setId] = useState('');
  const [outcome, setOutcome] = useState<ConsoleEvaluateDecisionQuery['evaluateDecision'] | null>(null);
  const orders = useQuery(ConsoleOrdersDocument, { filter: { rootsOnly: true }, first: 100 });
  const runs = useQuery(ConsoleTestRunsDocument, { filter: { rootsOnly: true }, first: 100 });
  const evaluate = useAction(ConsoleEvaluateDecisionDocument, 'Evaluated; nothing was sent', (d) => setOutcome(d.evaluateDecision));
  const records =
    subject === 'DOMAIN_ORDER'
      ? (orders.data?.domainOrders.edges.map((e) => ({
          id: e.node.id,
          label: `${e.node.number} ${e.node.name ?? e.node.serviceSpecification.id}`,
        })) ?? [])
      : (runs.data?.testRuns.edges.map((e) => ({ id: e.node.id, label: `${e.node.number} ${e.node.name}` })) ?? []);
  return (
    <form
      class="editor"
      aria-label="Dry run"
      onSubmit={(e) => {
        e.preventDefault();
        setOutcome(null);
        void evaluate.run({ subject, id: id || records[0]?.id || '' });
      }}
    >
      <h3>Dry run</h3>
      <label>
        Subject
        <select
          value={subject}
          onChange={(e) => {
            setSubject(e.currentTarget.value as DecisionSubject);
            setId('');
          }}
        >
          <option value="DOMAIN_ORDER">DOMAIN_ORDER</option>
          <option value="TEST_RUN">TEST_RUN</option>
        </select>
      </label>
      <label>
        Record
        <select value={id || records[0]?.id || ''} onChange={(e) => setId(e.currentTarget.value)}>
          {records.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <div class="buttons">
        <button type="submit" disabled={evaluate.busy || records.length === 0}>
          Evaluate
        </button>
      </div>
      <ActionResult action={evaluate} />
      {outcome && (
        <div class="outcome">
          <p>
            Rule <strong>{outcome.rule.name}</strong> (priority {outcome.rule.priority}) sends to{' '}
            <strong>{outcome.externalSystem.name}</strong>
            {outcome.hierarchical ? ', the whole hierarchy' : ', the record only'}: {outcome.payloads.length} payload(s).
          </p>
          {outcome.payloads.map((p, i) => (
            <JsonBlock key={i} label={`Payload ${i + 1}`} value={p} />
          ))}
        </div>
      )}
    </form>
  );
}
