import type { MigrationInterface, QueryRunner } from 'typeorm';

const MARK_DELIVERED = 'mark_outbound_requests_delivered(text, text, uuid[], integer[], text[], text[], text[], text[])';

/**
 * The claim in two steps: lock the due rows (as before, each source through its own index range) into
 * arrays, then lease them by primary key. With statistics, PostgreSQL planned the single statement's
 * UPDATE as a sequential scan of outbound_request hashed against the few ids claimed, on every claim; and
 * PL/pgSQL re-planned both dispatch functions on every call (custom plans for their parameters). Now
 * sequential scans are off in the claim (it only ever needs index ranges and keys), and both functions
 * keep one generic plan per statement (checked with auto_explain on 300,000 delivered requests and a
 * 50,000 backlog for a paused system: a claim of 64 reads 64 rows).
 */
export class ClaimByPrimaryKey1796044800000 implements MigrationInterface {
  name = 'ClaimByPrimaryKey1796044800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(CLAIM_FUNCTION_BY_KEY);
    await q.query(`ALTER FUNCTION ${MARK_DELIVERED} SET plan_cache_mode = force_generic_plan`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${MARK_DELIVERED} RESET plan_cache_mode`);
    await q.query(`DROP FUNCTION claim_outbound_requests(text, text, integer, uuid[], integer)`);
    await q.query(PREVIOUS_CLAIM_FUNCTION);
  }
}

/** What 1764480000000's claim does (see there), locking first and leasing by primary key. */
const CLAIM_FUNCTION_BY_KEY = `
  CREATE OR REPLACE FUNCTION claim_outbound_requests(
    channel text, owner text, lease_margin_ms integer, paused_systems uuid[], max_rows integer
  ) RETURNS json
  LANGUAGE plpgsql
  SET enable_sort = off
  SET enable_seqscan = off
  SET jit = off
  SET plan_cache_mode = force_generic_plan
  AS $fn$
  DECLARE
    ids uuid[];
    previous text[];
    claimed claimed_outbound_request[];
  BEGIN
    WITH systems AS (
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
    )
    SELECT array_agg(c.id ORDER BY c.seq), array_agg(c.state ORDER BY c.seq) INTO ids, previous
      FROM (SELECT * FROM candidates ORDER BY seq LIMIT max_rows) c;
    IF ids IS NULL THEN
      RETURN NULL;
    END IF;

    WITH done AS (
      UPDATE outbound_request r

         SET state = 'SENDING',
             path = COALESCE(NULLIF(r.path, ''), (SELECT d.resource_path FROM outbound_request d WHERE d.id = r.depends_on_id), ''),
             lease_owner = owner,
             lease_expires_at = now() + ((2 * s.timeout_ms + lease_margin_ms) * interval '1 millisecond'),
             attempts = r.attempts + CASE WHEN due.previous_state = 'SENDING' THEN 0 ELSE 1 END,
             outcome_unknown = r.outcome_unknown OR due.previous_state = 'SENDING',
             updated_at = now()
        FROM unnest(ids, previous) AS due(id, previous_state), external_system s
       WHERE r.id = ANY (ids) AND r.id = due.id AND s.id = r.external_system_id
      RETURNING ROW(r.id, r.seq, r.number, r.request_id, r.subject, r.operation, r.external_system_id, r.http_method,
                    r.path, r.payload::text, r.attempts, r.outcome_unknown, due.previous_state,
                    s.name, s.base_url, s.timeout_ms, s.max_attempts, s.auth_type, s.auth_secret)::claimed_outbound_request AS c
    )

    SELECT array_agg(done.c ORDER BY (done.c).seq) INTO claimed FROM done;
    PERFORM notify_events(channel, ARRAY(
      SELECT outbound_request_changed_event(c.id, c.external_system_id, c.request_id, c.operation, 'SENDING', c.attempts, NULL)
        FROM unnest(claimed) WITH ORDINALITY AS c
       ORDER BY c.ordinality));
    RETURN (SELECT json_agg(c ORDER BY c.ordinality) FROM unnest(claimed) WITH ORDINALITY AS c);
  END
  $fn$`;

/** The claim as 1764480000000-DispatchFunctions created it, restored by down(). */
const PREVIOUS_CLAIM_FUNCTION = `
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
    WITH systems AS (
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
    ),
    due AS (
      SELECT c.id, c.state AS previous_state FROM candidates c ORDER BY c.seq LIMIT max_rows
    ),
    done AS (
      UPDATE outbound_request r

         SET state = 'SENDING',
             path = COALESCE(NULLIF(r.path, ''), (SELECT d.resource_path FROM outbound_request d WHERE d.id = r.depends_on_id), ''),
             lease_owner = owner,
             lease_expires_at = now() + ((2 * s.timeout_ms + lease_margin_ms) * interval '1 millisecond'),
             attempts = r.attempts + CASE WHEN due.previous_state = 'SENDING' THEN 0 ELSE 1 END,
             outcome_unknown = r.outcome_unknown OR due.previous_state = 'SENDING',
             updated_at = now()
        FROM due, external_system s
       WHERE r.id = due.id AND s.id = r.external_system_id
      RETURNING ROW(r.id, r.seq, r.number, r.request_id, r.subject, r.operation, r.external_system_id, r.http_method,
                    r.path, r.payload::text, r.attempts, r.outcome_unknown, due.previous_state,
                    s.name, s.base_url, s.timeout_ms, s.max_attempts, s.auth_type, s.auth_secret)::claimed_outbound_request AS c
    )

    SELECT array_agg(done.c ORDER BY (done.c).seq) INTO claimed FROM done;
    PERFORM notify_events(channel, ARRAY(
      SELECT outbound_request_changed_event(c.id, c.external_system_id, c.request_id, c.operation, 'SENDING', c.attempts, NULL)
        FROM unnest(claimed) WITH ORDINALITY AS c
       ORDER BY c.ordinality));
    RETURN (SELECT json_agg(c ORDER BY c.ordinality) FROM unnest(claimed) WITH ORDINALITY AS c);
  END
  $fn$`;
