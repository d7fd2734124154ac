import { useState } from 'preact/hooks';
import {
  ConsoleActivateOpenApiDocument,
  ConsoleAdminDocument,
  ConsoleDeactivateOpenApiDocument,
  ConsoleImportTestSpecificationsDocument,
  ConsoleUpdateTestMeasureDefinitionDocument,
  type ConsoleAdminQuery,
} from '../__generated__/graphql';
import { ActionResult, ConfirmButton, ErrorBox, Section, Time } from '../components';
import { useAction, useQuery } from '../hooks';
import { DecisionRules } from './admin-rules';
import { ExternalSystems } from './admin-systems';

export type AdminData = ConsoleAdminQuery;

/** Administration (ADMIN only): Open APIs, external systems, decision rules, test specifications. */
export function AdminView() {
  const { data, error, refetch } = useQuery(ConsoleAdminDocument, {});
  return (
    <>
      <h1>Administration</h1>
      <ErrorBox error={error} />
      {data && (
        <>
          <OpenApis data={data} refetch={refetch} />
          <ExternalSystems data={data} refetch={refetch} />
          <DecisionRules data={data} refetch={refetch} />
          <TestSpecifications data={data} refetch={refetch} />
        </>
      )}
    </>
  );
}

function OpenApis(props: { data: AdminData; refetch: () => void }) {
  const activate = useAction(ConsoleActivateOpenApiDocument, 'Open API activated', props.refetch);
  const deactivate = useAction(ConsoleDeactivateOpenApiDocument, 'Open API deactivated', props.refetch);
  return (
    <Section title="Open APIs">
      <table aria-label="Open APIs">
        <thead>
          <tr>
            <th>API</th>
            <th>Active</th>
            <th>Activated</th>
            <th>Action</th>
          </tr>
        </thead>
        <tbody>
          {props.data.openApis.map((a) => (
            <tr key={a.api}>
              <td class="mono">{a.api}</td>
              <td>{a.active ? 'active' : 'inactive'}</td>
              <td>
                <Time value={a.activatedAt} />
              </td>
              <td>
                {a.active ? (
                  <ConfirmButton
                    label={`Deactivate ${a.api}`}
                    danger
                    question={`Deactivate ${a.api}? Nothing is sent with it until it is activated again.`}
                    onConfirm={() => deactivate.run({ api: a.api })}
                  />
                ) : (
                  <button type="button" onClick={() => void activate.run({ api: a.api })}>
                    Activate {a.api}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActionResult action={activate.error || activate.done ? activate : deactivate} />
    </Section>
  );
}

function TestSpecifications(props: { data: AdminData; refetch: () => void }) {
  const testSystems = props.data.externalSystems.filter((s) => s.api === 'SERVICE_TEST_TMF653');
  const [system, setSystem] = useState('');
  const importing = useAction(ConsoleImportTestSpecificationsDocument, 'Test specifications imported', props.refetch);
  return (
    <Section title="Test specifications" count={props.data.testSpecifications.length}>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void importing.run({ id: system || testSystems[0]?.id || '' });
        }}
      >
        <label>
          Import from
          <select value={system || testSystems[0]?.id || ''} onChange={(e) => setSystem(e.currentTarget.value)}>
            {testSystems.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={importing.busy || testSystems.length === 0}>
          Import test specifications
        </button>
      </form>
      <ActionResult action={importing} />
      {props.data.testSpecifications.map((spec) => (
        <div key={spec.id} class="spec">
          <h3>
            {spec.name} <span class="muted mono">{spec.externalId}</span> {spec.version && <span class="muted">v{spec.version}</span>}{' '}
            {spec.lifecycleStatus && <span class="badge">{spec.lifecycleStatus}</span>}
          </h3>
          <p class="muted">
            {spec.externalSystem ? `From ${spec.externalSystem.name}, synced ` : 'Created by hand '}
            <Time value={spec.syncedAt} />
          </p>
          <table aria-label={`Measure definitions of ${spec.name}`}>
            <thead>
              <tr>
                <th>Metric</th>
                <th>Unit</th>
                <th>Type</th>
                <th>Definition id (at the test system)</th>
              </tr>
            </thead>
            <tbody>
              {spec.measureDefinitions.map((d) => (
                <DefinitionRow key={d.id} definition={d} refetch={props.refetch} />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </Section>
  );
}

function DefinitionRow(props: { definition: AdminData['testSpecifications'][number]['measureDefinitions'][number]; refetch: () => void }) {
  const d = props.definition;
  const [value, setValue] = useState(d.definitionId ?? '');
  const save = useAction(ConsoleUpdateTestMeasureDefinitionDocument, 'Saved', props.refetch);
  return (
    <tr>
      <td class="mono">{d.metricName}</td>
      <td>{d.unitOfMeasure ?? '–'}</td>
      <td>{d.valueType ?? '–'}</td>
      <td>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run({
              id: d.id,
              input: {
                metricName: d.metricName,
                unitOfMeasure: d.unitOfMeasure,
                valueType: d.valueType,
                definitionId: value.trim() || null,
              },
            });
          }}
        >
          <label>
            <span class="sr-only">Definition id of {d.metricName}</span>
            <input value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder="required before a run can be sent" />
          </label>
          <button type="submit" disabled={save.busy}>
            Save
          </button>
          <ActionResult action={save} />
        </form>
      </td>
    </tr>
  );
}
