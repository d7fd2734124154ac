/**
 * The dispatcher's set-based statements. Each is a single statement (data-modifying CTEs) so that a
 * claim or a batch of deliveries costs one round trip, and each ends in a SELECT because drivers
 * return the rows of a bare UPDATE ... RETURNING in different shapes.
 */

/**
 * Claims up to $4 due requests for instance $1: queued or retry-scheduled ones whose time has come,
 * and ones whose lease expired mid-send (their outcome is unknown: the sender looks them up first).
 * A request that waits for an earlier one of the same record is due only once that one is delivered.
 * SKIP LOCKED lets instances claim side by side without waiting for or taking each other's rows.
 * Returns what sending needs: the request and its external system.
 */
export const CLAIM_SQL = `
  WITH due AS (
    SELECT o.id, o.state AS previous_state, s.timeout_ms
      FROM outbound_request o
      JOIN external_system s ON s.id = o.external_system_id
      LEFT JOIN outbound_request d ON d.id = o.depends_on_id
     WHERE s.enabled
       AND NOT (o.external_system_id = ANY($3::uuid[]))
       AND (o.depends_on_id IS NULL OR (d.state = 'DELIVERED' AND o.path <> ''))
       AND ((o.state IN ('QUEUED', 'RETRY_SCHEDULED') AND o.next_attempt_at <= now())
            OR (o.state = 'SENDING' AND o.lease_expires_at < now()))
     ORDER BY o.seq
     LIMIT $4
       FOR UPDATE OF o SKIP LOCKED
  ),
  claimed AS (
    UPDATE outbound_request r
       SET state = 'SENDING',
           lease_owner = $1,
           lease_expires_at = now() + ((2 * due.timeout_ms + $2) * interval '1 millisecond'),
           attempts = r.attempts + CASE WHEN due.previous_state = 'SENDING' THEN 0 ELSE 1 END,
           outcome_unknown = r.outcome_unknown OR due.previous_state = 'SENDING',
           updated_at = now()
      FROM due
     WHERE r.id = due.id
    RETURNING r.id, r.seq, r.number, r.request_id, r.subject, r.operation, r.external_system_id, r.http_method, r.path,
              r.payload, r.attempts, r.next_attempt_at, r.outcome_unknown
  )
  SELECT c.*, due.previous_state, s.name AS system_name, s.base_url, s.timeout_ms, s.max_attempts, s.auth_type, s.auth_secret
    FROM claimed c JOIN due ON due.id = c.id JOIN external_system s ON s.id = c.external_system_id
   ORDER BY c.seq`;

export interface ClaimedRow {
  id: string;
  seq: string;
  number: string;
  request_id: string;
  subject: string;
  operation: string;
  external_system_id: string;
  http_method: string;
  path: string;
  payload: unknown;
  attempts: number;
  next_attempt_at: Date | null;
  outcome_unknown: boolean;
  /** QUEUED or RETRY_SCHEDULED: this claim counted an attempt; SENDING: a lease that expired, not counted again. */
  previous_state: string;
  system_name: string;
  base_url: string;
  timeout_ms: number;
  max_attempts: number;
  auth_type: string;
  auth_secret: string | null;
}

const recordsOf = (table: 'domain_order' | 'test_run') => {
  const [link, column] = table === 'domain_order' ? ['outbound_request_domain_order', 'domain_order_id'] : ['outbound_request_test_run', 'test_run_id'];
  return `
  ${table}_created AS (
    UPDATE ${table} t SET external_id = c.external_id, external_state = c.external_state, updated_at = now()
      FROM ${link} l JOIN created c ON c.id = l.outbound_request_id
     WHERE t.id = l.${column}
    RETURNING t.id, t.number, t.fulfillment_state, t.external_state, l.outbound_request_id, l.position
  ),
  ${table}_paths AS (
    UPDATE outbound_request o SET path = c.path, updated_at = now()
      FROM created c
      JOIN ${link} made ON made.outbound_request_id = c.id
      JOIN ${link} waiting ON waiting.${column} = made.${column}
     WHERE o.id = waiting.outbound_request_id AND o.path = '' AND o.operation <> 'CREATE' AND o.state = 'QUEUED'
    RETURNING o.id
  ),
  ${table}_revised AS (
    UPDATE ${table} t SET updates_available = false
      FROM ${link} l JOIN done ON done.id = l.outbound_request_id AND done.operation = 'REVISE'
     WHERE t.id = l.${column} AND t.version = l.record_version
    RETURNING t.id
  )`;
};

/**
 * DELIVERED for a batch of requests this instance ($1) still holds, in one statement: the requests;
 * for a CREATE, the external id and first state onto every record it carries, and the path of the
 * REVISEs that waited for that id; for a REVISE, updatesAvailable cleared on records not revised again
 * since (their version is still the one the REVISE carried). Returns the requests and changed records.
 */
export const MARK_DELIVERED_SQL = `
  WITH v AS (
    SELECT * FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[])
      AS v(id, status, body, external_id, external_state, path)
  ),
  done AS (
    UPDATE outbound_request r
       SET state = 'DELIVERED', response_status = v.status, response_body = v.body::jsonb,
           external_id = COALESCE(v.external_id, r.external_id), delivered_at = now(), next_attempt_at = NULL,
           error = NULL, outcome_unknown = false, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
      FROM v
     WHERE r.id = v.id AND r.state = 'SENDING' AND r.lease_owner = $1
    RETURNING r.id, r.number, r.request_id, r.external_system_id, r.operation, r.subject, r.attempts, r.external_id
  ),
  created AS (
    SELECT done.id, done.external_id, v.external_state, v.path
      FROM done JOIN v ON v.id = done.id
     WHERE done.operation = 'CREATE'
  ),
  ${recordsOf('domain_order')},
  ${recordsOf('test_run')}
  SELECT 'REQUEST' AS kind, d.id, d.number, d.request_id, d.external_system_id, d.operation, d.subject, d.attempts,
         NULL::text AS fulfillment_state, NULL::text AS external_state, NULL::uuid AS outbound_request_id, 0 AS position
    FROM done d
  UNION ALL
  SELECT 'DOMAIN_ORDER', o.id, o.number, NULL, NULL, NULL, NULL, NULL, o.fulfillment_state, o.external_state, o.outbound_request_id, o.position
    FROM domain_order_created o
  UNION ALL
  SELECT 'TEST_RUN', t.id, t.number, NULL, NULL, NULL, NULL, NULL, t.fulfillment_state, t.external_state, t.outbound_request_id, t.position
    FROM test_run_created t
  ORDER BY kind, outbound_request_id, position`;

export interface DeliveredRow {
  kind: 'REQUEST' | 'DOMAIN_ORDER' | 'TEST_RUN';
  id: string;
  number: string;
  request_id: string | null;
  external_system_id: string | null;
  operation: string | null;
  subject: string | null;
  attempts: number | null;
  fulfillment_state: string | null;
  external_state: string | null;
  outbound_request_id: string | null;
}
