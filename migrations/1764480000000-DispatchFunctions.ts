import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dispatcher's two hot statements as PL/pgSQL functions, and the indexes they and the lists need.
 *
 * Why functions: a function's statements are parsed and planned once per connection and the plan is
 * kept, where a statement sent as text is parsed and planned on every call (over a millisecond each for
 * these data-modifying CTEs, more than the rows they write). Each is one round trip and its own
 * transaction, subscription events included: they are built and NOTIFYed by the function, so they are
 * published exactly when the change commits. Both run unchanged on PostgreSQL and on the embedded PGlite.
 *
 * The claim reads each eligible system's queued requests (seq order) and due retries through index
 * ranges of their own, so it reads about as many rows as it takes however much waits for a disabled or
 * paused system or for a later retry. Its SET keeps it on those ranges whatever the statistics say (the
 * embedded database has no autovacuum, so no statistics unless asked, and a bitmap scan plus sort would
 * read the whole backlog on every claim). A sort it cannot avoid then costs 10^10, which would have
 * PostgreSQL JIT-compile the statement (150 ms) on every call: hence jit off.
 *
 * The events are the envelopes src/services/events/fulfillment.events.ts builds ({ topic, payload });
 * test/services/events/sql-events.test.ts holds the two to the same shape.
 *
 * Why a resource_path column: a REVISE queued while its CREATE is still on its way has no path yet. The
 * delivered request keeps the path of the external resource and the claim takes it from the request the
 * REVISE waits for, so a REVISE gets its path however its commit interleaves with the CREATE's delivery
 * (an update of the waiting rows at delivery would miss one committed after that update's snapshot).
 *
 * Indexes: every update of a row rewrites each of its indexes (the state changes, so updates are never
 * HOT); a request is updated twice on its way. Dropped: number's unique index (number is made from the
 * unique seq, and nothing looks requests up by it), the due and live indexes (replaced by the per-system
 * queued and retry ranges), the records' external id indexes (nothing looks records up by it; a callback
 * finds the request by its external id). The state index leaves out DELIVERED, the state almost every
 * request ends in: a delivery no longer writes it, and listing DELIVERED walks seq. fillfactor leaves room
 * on the records' pages so that setting their external id and state on delivery is a HOT update.
 */
export class DispatchFunctions1764480000000 implements MigrationInterface {
  name = 'DispatchFunctions1764480000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbound_request ADD COLUMN resource_path text;

      DROP INDEX outbound_request_number_key;
      DROP INDEX outbound_request_due_idx;
      DROP INDEX outbound_request_live_idx;
      DROP INDEX outbound_request_state_idx;
      CREATE INDEX outbound_request_state_idx ON outbound_request (state, seq) WHERE state <> 'DELIVERED';
      CREATE INDEX outbound_request_queued_idx ON outbound_request (external_system_id, seq) WHERE state = 'QUEUED';
      CREATE INDEX outbound_request_retry_idx ON outbound_request (external_system_id, next_attempt_at)
        WHERE state = 'RETRY_SCHEDULED';
      DROP INDEX domain_order_external_id_idx;
      DROP INDEX test_run_external_id_idx;
      ALTER TABLE domain_order SET (fillfactor = 85);
      ALTER TABLE test_run SET (fillfactor = 85);
    `);
    await q.query(EVENT_FUNCTIONS);
    await q.query(CLAIMED_TYPE);
    await q.query(CLAIM_FUNCTION);
    await q.query(MARK_DELIVERED_FUNCTION);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION mark_outbound_requests_delivered(text, text, uuid[], integer[], text[], text[], text[], text[]);
      DROP FUNCTION claim_outbound_requests(text, text, integer, uuid[], integer);
      DROP TYPE claimed_outbound_request;
      DROP FUNCTION notify_events(text, json[]);
      DROP FUNCTION fulfillment_state_changed_event(text, uuid, text, text, text, text, text, uuid);
      DROP FUNCTION outbound_request_changed_event(uuid, uuid, text, text, text, integer, timestamptz);
      DROP FUNCTION event_time(timestamptz);
      ALTER TABLE test_run RESET (fillfactor);
      ALTER TABLE domain_order RESET (fillfactor);
      CREATE INDEX test_run_external_id_idx ON test_run (external_id) WHERE external_id IS NOT NULL;
      CREATE INDEX domain_order_external_id_idx ON domain_order (external_id) WHERE external_id IS NOT NULL;
      DROP INDEX outbound_request_retry_idx;
      DROP INDEX outbound_request_queued_idx;
      DROP INDEX outbound_request_state_idx;
      CREATE INDEX outbound_request_state_idx ON outbound_request (state, seq);
      CREATE INDEX outbound_request_live_idx ON outbound_request (seq) WHERE state IN ('QUEUED', 'RETRY_SCHEDULED', 'SENDING');
      CREATE INDEX outbound_request_due_idx ON outbound_request (next_attempt_at)
        WHERE state IN ('QUEUED', 'RETRY_SCHEDULED');
      CREATE UNIQUE INDEX outbound_request_number_key ON outbound_request (number);
      ALTER TABLE outbound_request DROP COLUMN resource_path;
    `);
  }
}

/**
 * The events as SQL expressions. They are plain SQL functions of one SELECT without FROM, so that the
 * planner inlines them into the statements that call them (a function call per event would cost more
 * than the event). event_time writes timestamps as JavaScript's toISOString() does.
 */
const EVENT_FUNCTIONS = `
  CREATE FUNCTION event_time(t timestamptz) RETURNS text LANGUAGE sql STABLE AS $fn$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  $fn$;

  CREATE FUNCTION outbound_request_changed_event(
    id uuid, external_system_id uuid, request_id text, operation text, state text, attempts integer,
    next_attempt_at timestamptz
  ) RETURNS json LANGUAGE sql STABLE AS $fn$
    SELECT json_build_object(
      'topic', 'outboundRequestChanged',
      'payload', json_build_object('id', $1, 'externalSystemId', $2, 'requestId', $3, 'operation', $4, 'state', $5,
                                   'attempts', $6, 'nextAttemptAt', event_time($7), 'occurredAt', event_time(now())))
  $fn$;

  CREATE FUNCTION fulfillment_state_changed_event(
    subject text, subject_id uuid, number text, request_id text, previous_state text, state text,
    external_state text, outbound_request_id uuid
  ) RETURNS json LANGUAGE sql STABLE AS $fn$
    SELECT json_build_object(
      'topic', 'fulfillmentStateChanged',
      'payload', json_build_object('subject', $1, 'subjectId', $2, 'number', $3, 'requestId', $4, 'previousState', $5,
                                   'state', $6, 'externalState', $7, 'outboundRequestId', $8,
                                   'occurredAt', event_time(now())))
  $fn$;

  -- Publishes events in order, several to a NOTIFY (a JSON array) as EventBus.publish does: a payload
  -- must stay under 8000 bytes, and one event is well under 2000 (external states are cut at 100 characters).
  CREATE FUNCTION notify_events(channel text, events json[]) RETURNS void LANGUAGE plpgsql AS $fn$
  DECLARE
    chunk text;
  BEGIN
    FOR chunk IN
      SELECT json_agg(e.event ORDER BY e.pos)::text
        FROM (SELECT event, pos, sum(octet_length(event::text) + 2) OVER (ORDER BY pos) AS upto
                FROM unnest(events) WITH ORDINALITY AS u(event, pos)) e
       GROUP BY e.upto / 6000
       ORDER BY e.upto / 6000
    LOOP
      PERFORM pg_notify(channel, chunk);
    END LOOP;
  END
  $fn$;
`;

const CLAIMED_TYPE = `
  CREATE TYPE claimed_outbound_request AS (
    id uuid, seq bigint, number text, request_id text, subject text, operation text, external_system_id uuid,
    http_method text, path text, body text, attempts integer, outcome_unknown boolean, previous_state text,
    system_name text, base_url text, timeout_ms integer, max_attempts integer, auth_type text, auth_secret text
  );`;

/** The due rows, locked: systems (eligible ones) and candidates (id, seq, state) as CTEs. */
const CLAIM_DUE_ROWS = `systems AS (
      SELECT s.id FROM external_system s WHERE s.enabled AND NOT (s.id = ANY (paused_systems))
    ),
    candidates AS (
      SELECT q.id, q.seq, q.state FROM systems s CROSS JOIN LATERAL (
        SELECT o.id, o.seq, o.state FROM outbound_request o
         WHERE o.external_system_id = s.id AND o.state = 'QUEUED'
           AND CASE WHEN o.depends_on_id IS NULL THEN o.path <> ''
                    ELSE (SELECT d.state = 'DELIVERED' AND (o.path <> '' OR d.resource_path <> '')
                            FROM outbound_request d WHERE d.id = o.depends_on_id) END
         ORDER BY o.seq LIMIT max_rows
           FOR UPDATE OF o SKIP LOCKED) q
      UNION ALL
      SELECT r.id, r.seq, r.state FROM systems s CROSS JOIN LATERAL (
        SELECT o.id, o.seq, o.state FROM outbound_request o
         WHERE o.external_system_id = s.id AND o.state = 'RETRY_SCHEDULED' AND o.next_attempt_at <= now()
         ORDER BY o.next_attempt_at LIMIT max_rows
           FOR UPDATE OF o SKIP LOCKED) r
      UNION ALL
      SELECT e.id, e.seq, e.state FROM (
        SELECT o.id, o.seq, o.state FROM outbound_request o
         WHERE o.state = 'SENDING' AND o.lease_expires_at < now()
           AND o.external_system_id IN (SELECT systems.id FROM systems)
         ORDER BY o.lease_expires_at LIMIT max_rows
           FOR UPDATE OF o SKIP LOCKED) e
    )`;

/** The lease a claimed row r of system s gets (due.previous_state: its state before the claim). */
const CLAIM_LEASE = `
         SET state = 'SENDING',
             path = COALESCE(NULLIF(r.path, ''), (SELECT d.resource_path FROM outbound_request d WHERE d.id = r.depends_on_id), ''),
             lease_owner = owner,
             lease_expires_at = now() + ((2 * s.timeout_ms + lease_margin_ms) * interval '1 millisecond'),
             attempts = r.attempts + CASE WHEN due.previous_state = 'SENDING' THEN 0 ELSE 1 END,
             outcome_unknown = r.outcome_unknown OR due.previous_state = 'SENDING',
             updated_at = now()`;

/** What sending needs of a claimed row, as the returned type. */
const CLAIMED_ROW = `RETURNING ROW(r.id, r.seq, r.number, r.request_id, r.subject, r.operation, r.external_system_id, r.http_method,
                    r.path, r.payload::text, r.attempts, r.outcome_unknown, due.previous_state,
                    s.name, s.base_url, s.timeout_ms, s.max_attempts, s.auth_type, s.auth_secret)::claimed_outbound_request AS c`;

/** Publishes SENDING for the claimed rows (done.c) and returns them as one JSON array. */
const PUBLISH_CLAIMED = `
    SELECT array_agg(done.c ORDER BY (done.c).seq) INTO claimed FROM done;
    PERFORM notify_events(channel, ARRAY(
      SELECT outbound_request_changed_event(c.id, c.external_system_id, c.request_id, c.operation, 'SENDING', c.attempts, NULL)
        FROM unnest(claimed) WITH ORDINALITY AS c
       ORDER BY c.ordinality));
    RETURN (SELECT json_agg(c ORDER BY c.ordinality) FROM unnest(claimed) WITH ORDINALITY AS c);`;

/**
 * Claims up to max_rows due requests for instance owner, oldest first: queued ones, retries whose time
 * has come, and ones whose lease expired mid-send (their outcome is unknown: the sender looks them up
 * first). Only systems that are enabled and not paused (paused_systems: open circuit breakers) are
 * looked at, each through its own index range, so a claim reads about as many rows as it takes however
 * much waits for a disabled or paused system or for a later retry. A request that waits for an earlier
 * one of the same record is due once that one is delivered, and takes the path of the resource it
 * created if it had none. SKIP LOCKED lets instances claim side by side without waiting for or taking
 * each other's rows. Publishes SENDING for each on channel and returns what sending needs, oldest first,
 * as one JSON array (NULL when nothing was due): a client parses one value faster than a row per request.
 *
 * 1796044800000-ClaimByPrimaryKey.ts replaces this function (and restores it when undone).
 */
const CLAIM_FUNCTION = `
  CREATE FUNCTION claim_outbound_requests(
    channel text, owner text, lease_margin_ms integer, paused_systems uuid[], max_rows integer
  ) RETURNS json
  LANGUAGE plpgsql
  SET enable_sort = off
  SET jit = off
  AS $fn$
  DECLARE
    claimed claimed_outbound_request[];
  BEGIN
    WITH ${CLAIM_DUE_ROWS},
    due AS (
      SELECT c.id, c.state AS previous_state FROM candidates c ORDER BY c.seq LIMIT max_rows
    ),
    done AS (
      UPDATE outbound_request r
${CLAIM_LEASE}
        FROM due, external_system s
       WHERE r.id = due.id AND s.id = r.external_system_id
      ${CLAIMED_ROW}
    )
${PUBLISH_CLAIMED}
  END
  $fn$`;

/**
 * DELIVERED for the requests of a batch (ids, with the answer of each) that instance owner still
 * holds: the request, with the path of the external resource (a CREATE's comes from the caller, built
 * from the external id it got back); for a CREATE, the external id and first state onto every record it
 * carries; for a REVISE, updatesAvailable cleared on records not revised again since (their version is
 * still the one the REVISE carried). Publishes the requests' and the records' changes on channel and
 * returns the ids of the requests it marked (a request whose lease moved on is left alone).
 */
const MARK_DELIVERED_FUNCTION = `
  CREATE FUNCTION mark_outbound_requests_delivered(
    channel text, owner text, ids uuid[], statuses integer[], bodies text[], external_ids text[],
    external_states text[], resource_paths text[]
  ) RETURNS SETOF uuid
  LANGUAGE plpgsql
  AS $fn$
  DECLARE
    events json[];
    delivered uuid[];
  BEGIN
    WITH v AS (
      SELECT * FROM unnest(ids, statuses, bodies, external_ids, external_states, resource_paths)
        AS v(id, status, body, external_id, external_state, resource_path)
    ),
    done AS (
      UPDATE outbound_request r
         SET state = 'DELIVERED', response_status = v.status, response_body = v.body::jsonb,
             external_id = COALESCE(v.external_id, r.external_id),
             resource_path = CASE WHEN r.operation = 'CREATE' THEN NULLIF(v.resource_path, '') ELSE r.path END,
             delivered_at = now(), next_attempt_at = NULL, error = NULL, outcome_unknown = false,
             lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        FROM v
       WHERE r.id = ANY (ids) AND r.id = v.id AND r.state = 'SENDING' AND r.lease_owner = owner
      RETURNING r.id, r.seq, r.request_id, r.external_system_id, r.operation, r.attempts, r.external_id,
                v.external_state
    ),
    domain_orders AS (
      UPDATE domain_order t SET external_id = c.external_id, external_state = c.external_state, updated_at = now()
        FROM outbound_request_domain_order l JOIN done c ON c.id = l.outbound_request_id AND c.operation = 'CREATE'
       WHERE t.id = l.domain_order_id
      RETURNING c.seq, l.position, fulfillment_state_changed_event('DOMAIN_ORDER', t.id, t.number, c.request_id,
                t.fulfillment_state, t.fulfillment_state, t.external_state, c.id) AS event
    ),
    domain_orders_revised AS (
      UPDATE domain_order t SET updates_available = false
        FROM outbound_request_domain_order l JOIN done c ON c.id = l.outbound_request_id AND c.operation = 'REVISE'
       WHERE t.id = l.domain_order_id AND t.version = l.record_version
      RETURNING t.id
    ),
    test_runs AS (
      UPDATE test_run t SET external_id = c.external_id, external_state = c.external_state, updated_at = now()
        FROM outbound_request_test_run l JOIN done c ON c.id = l.outbound_request_id AND c.operation = 'CREATE'
       WHERE t.id = l.test_run_id
      RETURNING c.seq, l.position, fulfillment_state_changed_event('TEST_RUN', t.id, t.number, c.request_id,
                t.fulfillment_state, t.fulfillment_state, t.external_state, c.id) AS event
    ),
    test_runs_revised AS (
      UPDATE test_run t SET updates_available = false
        FROM outbound_request_test_run l JOIN done c ON c.id = l.outbound_request_id AND c.operation = 'REVISE'
       WHERE t.id = l.test_run_id AND t.version = l.record_version
      RETURNING t.id
    ),
    ordered AS (
      SELECT 0 AS part, d.seq, 0 AS position, d.id,
             outbound_request_changed_event(d.id, d.external_system_id, d.request_id, d.operation, 'DELIVERED', d.attempts, NULL) AS event
        FROM done d
      UNION ALL
      SELECT 1, o.seq, o.position, NULL, o.event FROM domain_orders o
      UNION ALL
      SELECT 1, t.seq, t.position, NULL, t.event FROM test_runs t
    )
    SELECT array_agg(o.event ORDER BY o.part, o.seq, o.position), array_agg(o.id) FILTER (WHERE o.id IS NOT NULL)
      INTO events, delivered
      FROM ordered o;
    PERFORM notify_events(channel, events);
    RETURN QUERY SELECT unnest(delivered);
  END
  $fn$`;
