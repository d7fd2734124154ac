import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deliveries recorded by primary key. mark_outbound_requests_delivered's UPDATE matched its batch with
 * `r.id = ANY (ids) AND r.id = v.id`: under its generic plan PostgreSQL read every SENDING request (of
 * every instance) through outbound_request_lease_idx, ANDed that bitmap with the primary key's, and
 * joined the result to the batch in a nested loop that rescanned the unnested batch once per row, so a
 * batch of n cost n² comparisons (a quarter of the function's time at 128 deliveries, checked with
 * auto_explain). Now each delivery of the batch looks its request up by primary key (a nested loop over
 * the batch, as many index probes as deliveries). Nothing else changes.
 */
export class DeliveriesByPrimaryKey1796395200000 implements MigrationInterface {
  name = 'DeliveriesByPrimaryKey1796395200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(MARK_DELIVERED_BY_KEY);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(PREVIOUS_MARK_DELIVERED);
  }
}

/** What 1764480000000-DispatchFunctions.ts documents, each delivery's request found by primary key. */
const MARK_DELIVERED_BY_KEY = `
  CREATE OR REPLACE FUNCTION mark_outbound_requests_delivered(
    channel text, owner text, ids uuid[], statuses integer[], bodies text[], external_ids text[],
    external_states text[], resource_paths text[]
  ) RETURNS SETOF uuid
  LANGUAGE plpgsql
  SET plan_cache_mode = force_generic_plan
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
       WHERE r.id = v.id AND r.state = 'SENDING' AND r.lease_owner = owner
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

/** The function as 1764480000000 created it (with 1796044800000's generic plan), restored by down(). */
const PREVIOUS_MARK_DELIVERED = `
  CREATE OR REPLACE FUNCTION mark_outbound_requests_delivered(
    channel text, owner text, ids uuid[], statuses integer[], bodies text[], external_ids text[],
    external_states text[], resource_paths text[]
  ) RETURNS SETOF uuid
  LANGUAGE plpgsql
  SET plan_cache_mode = force_generic_plan
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
