import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { ApiError } from './api';
import type { Action } from './hooks';
import { Link } from './router';

/** A state as a coloured label; the colour only repeats the words. */
export function StateBadge(props: { state: string | null | undefined }) {
  if (!props.state) return <span class="muted">–</span>;
  return <span class={`badge state-${props.state.replace(/[^A-Za-z_]/g, '')}`}>{props.state}</span>;
}

export function YesNo(props: { value: boolean; yes?: string }) {
  return props.value ? <span class="badge flag">{props.yes ?? 'yes'}</span> : <span class="muted">no</span>;
}

/** An API error in the API's own words. */
export function ErrorBox(props: { error: ApiError | null }) {
  if (!props.error) return null;
  return (
    <div class="error" role="alert">
      {props.error.message}
    </div>
  );
}

export function ActionResult(props: { action: Action<never> | { error: ApiError | null; done: string | null } }) {
  return (
    <>
      <ErrorBox error={props.action.error} />
      {props.action.done && (
        <div class="done" role="status">
          {props.action.done}
        </div>
      )}
    </>
  );
}

/** Pretty-printed JSON, as it went over the wire. */
export function JsonBlock(props: { value: unknown; label: string }) {
  if (props.value === null || props.value === undefined) return <p class="muted">{props.label}: none</p>;
  return (
    <figure class="json">
      <figcaption>{props.label}</figcaption>
      <pre tabIndex={0} aria-label={props.label}>
        {JSON.stringify(props.value, null, 2)}
      </pre>
    </figure>
  );
}

export function Time(props: { value: string | null | undefined }) {
  if (!props.value) return <span class="muted">–</span>;
  const date = new Date(props.value);
  return <time dateTime={props.value}>{date.toLocaleString()}</time>;
}

export function Section(props: { title: string; children: ComponentChildren; count?: number }) {
  return (
    <section class="panel">
      <h2>
        {props.title}
        {props.count !== undefined && <span class="count"> ({props.count})</span>}
      </h2>
      {props.children}
    </section>
  );
}

export function RecordLinks(props: { orders?: { id: string; number: string }[]; runs?: { id: string; number: string }[] }) {
  const links = [
    ...(props.orders ?? []).map((o) => (
      <Link key={o.id} to={`/orders/${o.id}`}>
        {o.number}
      </Link>
    )),
    ...(props.runs ?? []).map((r) => (
      <Link key={r.id} to={`/test-runs/${r.id}`}>
        {r.number}
      </Link>
    )),
  ];
  if (links.length === 0) return <span class="muted">–</span>;
  return <span class="record-links">{links}</span>;
}

/**
 * A button that asks first, in a modal dialog: the question, optionally a note (required when `note` is
 * given), Confirm and Cancel. Escape cancels. The action's error, if any, shows beside the button.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  note?: { label: string; required: boolean };
  onConfirm: (note: string) => Promise<boolean>;
  disabled?: boolean;
  danger?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const open = () => {
    setNote('');
    dialog.current?.showModal();
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    if (props.note?.required && note.trim() === '') return;
    setBusy(true);
    await props.onConfirm(note.trim());
    setBusy(false);
    dialog.current?.close();
  };
  return (
    <>
      <button type="button" class={props.danger ? 'danger' : undefined} onClick={open} disabled={props.disabled || busy}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.label}>
        <form method="dialog" onSubmit={(e) => void confirm(e)}>
          <p>{props.question}</p>
          {props.note && (
            <label>
              {props.note.label}
              <textarea value={note} required={props.note.required} onInput={(e) => setNote(e.currentTarget.value)} rows={3} />
            </label>
          )}
          <div class="buttons">
            <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy}>
              Confirm
            </button>
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** A labelled select over fixed options, with an "any" entry meaning no filter. */
export function FilterSelect<T extends string>(props: {
  label: string;
  value: T | '';
  options: readonly T[];
  onChange: (value: T | '') => void;
  anyLabel?: string;
}) {
  return (
    <label class="filter">
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T | '')}>
        <option value="">{props.anyLabel ?? 'any'}</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
