import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from './api';
import { SessionContext } from './session-context';
import { useLive } from './live';

const REFETCH_MS = 200;

export interface QueryState<R> {
  data: R | null;
  error: ApiError | null;
  loading: boolean;
  refetch: () => void;
}

/**
 * Runs a query now, again whenever its variables change, and again shortly after any live event
 * (several events in a burst cause one refetch). The last answer stays on screen while the next loads.
 */
export function useQuery<R, V>(doc: TypedDocumentNode<R, V>, variables: V): QueryState<R> {
  const { session } = useContext(SessionContext);
  const { revision } = useLive();
  const [state, setState] = useState<{ data: R | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const sequence = useRef(0);
  const key = JSON.stringify(variables);
  const run = useCallback(() => {
    const mine = ++sequence.current;
    setState((s) => ({ ...s, loading: true }));
    request(session.token, doc, JSON.parse(key) as V).then(
      (data) => mine === sequence.current && setState({ data, error: null, loading: false }),
      (err: unknown) => mine === sequence.current && setState((s) => ({ data: s.data, error: asApiError(err), loading: false })),
    );
  }, [doc, key, session.token]);
  useEffect(run, [run]);
  // Live events refetch at most every REFETCH_MS: a burst causes one refetch, a steady stream one per
  // interval (a debounce would starve under a steady stream).
  const latest = useRef(run);
  latest.current = run;
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seen = useRef(revision);
  useEffect(() => {
    if (revision === seen.current || pending.current) return;
    seen.current = revision;
    pending.current = setTimeout(() => {
      pending.current = null;
      latest.current();
    }, REFETCH_MS);
  }, [revision]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  return { ...state, refetch: run };
}

export interface Action<V> {
  run: (variables: V) => Promise<boolean>;
  busy: boolean;
  error: ApiError | null;
  done: string | null;
}

/** A mutation run on demand; remembers its last error (shown verbatim) and a success message. */
export function useAction<R, V>(doc: TypedDocumentNode<R, V>, success: string, after?: (data: R) => void): Action<V> {
  const { session } = useContext(SessionContext);
  const { touch } = useLive();
  const [state, setState] = useState<{ busy: boolean; error: ApiError | null; done: string | null }>({
    busy: false,
    error: null,
    done: null,
  });
  const run = async (variables: V) => {
    setState({ busy: true, error: null, done: null });
    try {
      const data = await request(session.token, doc, variables);
      setState({ busy: false, error: null, done: success });
      after?.(data);
      touch();
      return true;
    } catch (err) {
      setState({ busy: false, error: asApiError(err), done: null });
      return false;
    }
  };
  return { ...state, run };
}

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), ['CLIENT'], 0);
}
