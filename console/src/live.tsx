import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import {
  ConsoleFalloutChangesDocument,
  ConsoleFulfillmentChangesDocument,
  ConsoleInboundChangesDocument,
  ConsoleOutboundChangesDocument,
} from './__generated__/graphql';
import { liveClient, subscribe, type LiveStatus } from './api';
import type { Session } from './session';

interface Live {
  status: LiveStatus;
  reason?: string;
  /** Grows with every event of any subscription: views refetch what they show when it changes. */
  revision: number;
  /** Counts as an event: after a mutation, which not every change announces (a revision, PONR). */
  touch: () => void;
}

const LiveContext = createContext<Live>({ status: 'connecting', revision: 0, touch: () => undefined });

export const useLive = () => useContext(LiveContext);

/**
 * One graphql-ws connection for the whole console, subscribed to every change the gateway announces
 * (record states, outbound requests, fallouts, inbound messages). An event says that something changed;
 * the views then read it again with their own query, so a missed event costs nothing but a later refresh.
 * The four are separate streams in no particular order between them, which this does not depend on.
 */
export function LiveProvider(props: { session: Session; children: ComponentChildren }) {
  const [live, setLive] = useState<Live>(() => ({
    status: 'connecting',
    revision: 0,
    touch: () => setLive((l) => ({ ...l, revision: l.revision + 1 })),
  }));
  useEffect(() => {
    const bump = live.touch;
    const client = liveClient(props.session.token, (status, reason) =>
      // Coming back online bumps too: what changed while offline is read again.
      setLive((l) => ({ ...l, status, reason, revision: status === 'live' ? l.revision + 1 : l.revision })),
    );
    const stops = [
      subscribe(client, ConsoleFulfillmentChangesDocument, bump),
      subscribe(client, ConsoleOutboundChangesDocument, bump),
      subscribe(client, ConsoleFalloutChangesDocument, bump),
      subscribe(client, ConsoleInboundChangesDocument, bump),
    ];
    return () => {
      stops.forEach((stop) => stop());
      void client.dispose();
    };
  }, [props.session.token]);
  return <LiveContext.Provider value={live}>{props.children}</LiveContext.Provider>;
}

export function LiveBadge() {
  const { status, reason } = useLive();
  const label = { connecting: 'Connecting…', live: 'Live', offline: 'Offline' }[status];
  return (
    <span class={`live-badge live-${status}`} role="status" aria-live="polite" title={reason ?? `Subscriptions: ${label}`}>
      <span class="dot" aria-hidden="true" /> {label}
    </span>
  );
}
