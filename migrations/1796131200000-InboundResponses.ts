import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the external systems answer, and the in-flight changes that depend on it.
 *
 * - inbound_message takes the contract's shape (channel EVENT / STATUS_CALL / POLL, outcome APPLIED /
 *   DUPLICATE / STALE / REJECTED, the HTTP status answered, a seq for keyset pages) and links to the
 *   records each message touched. A repeated eventId is a duplicate only of a message that was applied or
 *   found stale: a rejected one (say, for a resource not yet known) may be sent again and count.
 * - domain_order / test_run keep what the systems report about them: milestones, jeopardy alerts, the
 *   information a system waits for, the errors it reported; a domain order keeps its state from before a
 *   cancellation, to return to when the cancellation is refused.
 * - cancellation: one row per CANCEL outbound request, following the system's cancel task (found by the
 *   task's id, or by the id of the resource it cancels).
 * - fallout: opened by inbound messages too (source, the message), linked to the records it concerns;
 *   fallouts opened so far get the records of their outbound request.
 * - poll_schedule: one row per CREATE sent to a system that is polled, claimed like the outbox (a due
 *   time, a lease, SKIP LOCKED), so each resource is polled by one instance at a time.
 * - external_system: the milestone that means "point of no return", and the hub registration's id.
 * - test_measure_result: one result per run and metric (a later report replaces the earlier one); a
 *   definition that goes away leaves its results, without a definition.
 * - test_specification: imported copies know their system, its lifecycleStatus and when they were synced.
 */
export class InboundResponses1796131200000 implements MigrationInterface {
  name = 'InboundResponses1796131200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE inbound_message RENAME COLUMN kind TO channel;
      ALTER TABLE inbound_message RENAME COLUMN status TO outcome;
      ALTER TABLE inbound_message DROP CONSTRAINT inbound_message_kind_check;
      ALTER TABLE inbound_message DROP CONSTRAINT inbound_message_status_check;
      UPDATE inbound_message SET channel = 'STATUS_CALL' WHERE channel = 'OUTBOUND_RESPONSE';
      UPDATE inbound_message SET outcome = 'REJECTED' WHERE outcome = 'RECEIVED';
      ALTER TABLE inbound_message ADD CONSTRAINT inbound_message_channel_check CHECK (channel IN ('EVENT', 'STATUS_CALL', 'POLL'));
      ALTER TABLE inbound_message ADD CONSTRAINT inbound_message_outcome_check
        CHECK (outcome IN ('APPLIED', 'DUPLICATE', 'STALE', 'REJECTED'));
      ALTER TABLE inbound_message ALTER COLUMN body DROP NOT NULL;
      ALTER TABLE inbound_message ADD COLUMN response_status integer;
      CREATE SEQUENCE inbound_message_seq START 1001;
      ALTER TABLE inbound_message ADD COLUMN seq bigint NOT NULL DEFAULT nextval('inbound_message_seq');
      ALTER SEQUENCE inbound_message_seq OWNED BY inbound_message.seq;
      CREATE UNIQUE INDEX inbound_message_seq_key ON inbound_message (seq);
      DROP INDEX inbound_message_event_key;
      CREATE UNIQUE INDEX inbound_message_event_key ON inbound_message (external_system_id, event_id)
        WHERE event_id IS NOT NULL AND outcome IN ('APPLIED', 'STALE');
      DROP INDEX inbound_message_received_idx;
      CREATE INDEX inbound_message_system_idx ON inbound_message (external_system_id, seq);
      CREATE INDEX inbound_message_outcome_idx ON inbound_message (outcome, seq);
      CREATE INDEX inbound_message_channel_idx ON inbound_message (channel, seq);

      CREATE TABLE inbound_message_domain_order (
        inbound_message_id uuid NOT NULL REFERENCES inbound_message (id) ON DELETE CASCADE,
        domain_order_id uuid NOT NULL REFERENCES domain_order (id),
        PRIMARY KEY (inbound_message_id, domain_order_id)
      );
      CREATE INDEX inbound_message_domain_order_order_idx ON inbound_message_domain_order (domain_order_id, inbound_message_id);
      CREATE TABLE inbound_message_test_run (
        inbound_message_id uuid NOT NULL REFERENCES inbound_message (id) ON DELETE CASCADE,
        test_run_id uuid NOT NULL REFERENCES test_run (id),
        PRIMARY KEY (inbound_message_id, test_run_id)
      );
      CREATE INDEX inbound_message_test_run_run_idx ON inbound_message_test_run (test_run_id, inbound_message_id);

      ALTER TABLE domain_order
        ADD COLUMN milestones jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN jeopardy_alerts jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN information_required jsonb,
        ADD COLUMN external_errors jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN state_before_cancellation text;
      ALTER TABLE test_run ADD COLUMN external_errors jsonb NOT NULL DEFAULT '[]';

      CREATE TABLE cancellation (
        outbound_request_id uuid PRIMARY KEY REFERENCES outbound_request (id),
        state text NOT NULL CHECK (state IN ('REQUESTED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'DONE', 'TERMINATED_WITH_ERROR')),
        reason text,
        external_id text,
        resource_id text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      );
      CREATE INDEX cancellation_external_id_idx ON cancellation (external_id) WHERE external_id IS NOT NULL;
      CREATE INDEX cancellation_resource_idx ON cancellation (resource_id);

      ALTER TABLE fallout DROP CONSTRAINT fallout_category_check;
      ALTER TABLE fallout ADD CONSTRAINT fallout_category_check CHECK (category IN (
        'TIMEOUT', 'CONNECTION', 'REMOTE_VALIDATION', 'REMOTE_BUSINESS', 'REMOTE_SERVER', 'AUTHENTICATION', 'CONFIGURATION',
        'EXTERNAL_FAILURE', 'INFORMATION_REQUIRED', 'JEOPARDY', 'CANCELLATION_REFUSED'));
      ALTER TABLE fallout
        ADD COLUMN source text NOT NULL DEFAULT 'OUTBOUND' CHECK (source IN ('OUTBOUND', 'INBOUND')),
        ADD COLUMN inbound_message_id uuid REFERENCES inbound_message (id);
      CREATE INDEX fallout_open_category_idx ON fallout (category, seq) WHERE status = 'OPEN';
      CREATE TABLE fallout_domain_order (
        fallout_id uuid NOT NULL REFERENCES fallout (id) ON DELETE CASCADE,
        domain_order_id uuid NOT NULL REFERENCES domain_order (id),
        PRIMARY KEY (fallout_id, domain_order_id)
      );
      CREATE INDEX fallout_domain_order_order_idx ON fallout_domain_order (domain_order_id);
      CREATE TABLE fallout_test_run (
        fallout_id uuid NOT NULL REFERENCES fallout (id) ON DELETE CASCADE,
        test_run_id uuid NOT NULL REFERENCES test_run (id),
        PRIMARY KEY (fallout_id, test_run_id)
      );
      CREATE INDEX fallout_test_run_run_idx ON fallout_test_run (test_run_id);
      INSERT INTO fallout_domain_order (fallout_id, domain_order_id)
        SELECT f.id, l.domain_order_id FROM fallout f JOIN outbound_request_domain_order l ON l.outbound_request_id = f.outbound_request_id;
      INSERT INTO fallout_test_run (fallout_id, test_run_id)
        SELECT f.id, l.test_run_id FROM fallout f JOIN outbound_request_test_run l ON l.outbound_request_id = f.outbound_request_id;

      ALTER TABLE external_system
        ADD COLUMN point_of_no_return_milestone text NOT NULL DEFAULT 'pointOfNoReturn',
        ADD COLUMN hub_subscription_id text;

      CREATE TABLE poll_schedule (
        outbound_request_id uuid PRIMARY KEY REFERENCES outbound_request (id) ON DELETE CASCADE,
        external_system_id uuid NOT NULL REFERENCES external_system (id),
        next_poll_at timestamptz NOT NULL,
        lease_owner text,
        lease_expires_at timestamptz,
        failures integer NOT NULL DEFAULT 0,
        last_fingerprint text,
        active boolean NOT NULL DEFAULT true
      );
      CREATE INDEX poll_schedule_due_idx ON poll_schedule (next_poll_at) WHERE active;
      CREATE INDEX poll_schedule_system_idx ON poll_schedule (external_system_id) WHERE active;

      ALTER TABLE test_specification
        ADD COLUMN lifecycle_status text,
        ADD COLUMN external_system_id uuid REFERENCES external_system (id),
        ADD COLUMN synced_at timestamptz;
      CREATE UNIQUE INDEX test_specification_system_key ON test_specification (external_system_id, external_id)
        WHERE external_system_id IS NOT NULL;
      ALTER TABLE test_measure_result DROP CONSTRAINT test_measure_result_definition_id_fkey;
      ALTER TABLE test_measure_result ADD CONSTRAINT test_measure_result_definition_id_fkey
        FOREIGN KEY (definition_id) REFERENCES test_measure_definition (id) ON DELETE SET NULL;

      DELETE FROM test_measure_result r USING test_measure_result newer
       WHERE newer.test_run_id = r.test_run_id AND newer.metric_name = r.metric_name
         AND (newer.created_at, newer.id) > (r.created_at, r.id);
      CREATE UNIQUE INDEX test_measure_result_metric_key ON test_measure_result (test_run_id, metric_name);
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX test_measure_result_metric_key;
      ALTER TABLE test_measure_result DROP CONSTRAINT test_measure_result_definition_id_fkey;
      ALTER TABLE test_measure_result ADD CONSTRAINT test_measure_result_definition_id_fkey
        FOREIGN KEY (definition_id) REFERENCES test_measure_definition (id);
      DROP INDEX test_specification_system_key;
      ALTER TABLE test_specification DROP COLUMN synced_at, DROP COLUMN external_system_id, DROP COLUMN lifecycle_status;
      DROP TABLE poll_schedule;
      ALTER TABLE external_system DROP COLUMN hub_subscription_id, DROP COLUMN point_of_no_return_milestone;
      DROP TABLE fallout_test_run;
      DROP TABLE fallout_domain_order;
      DROP INDEX fallout_open_category_idx;
      ALTER TABLE fallout DROP COLUMN inbound_message_id, DROP COLUMN source;
      DELETE FROM fallout WHERE category IN ('EXTERNAL_FAILURE', 'INFORMATION_REQUIRED', 'JEOPARDY', 'CANCELLATION_REFUSED');
      ALTER TABLE fallout DROP CONSTRAINT fallout_category_check;
      ALTER TABLE fallout ADD CONSTRAINT fallout_category_check CHECK (category IN (
        'TIMEOUT', 'CONNECTION', 'REMOTE_VALIDATION', 'REMOTE_BUSINESS', 'REMOTE_SERVER', 'AUTHENTICATION', 'CONFIGURATION'));
      DROP TABLE cancellation;
      ALTER TABLE test_run DROP COLUMN external_errors;
      ALTER TABLE domain_order
        DROP COLUMN state_before_cancellation,
        DROP COLUMN external_errors,
        DROP COLUMN information_required,
        DROP COLUMN jeopardy_alerts,
        DROP COLUMN milestones;
      DROP TABLE inbound_message_test_run;
      DROP TABLE inbound_message_domain_order;
      DROP INDEX inbound_message_channel_idx;
      DROP INDEX inbound_message_outcome_idx;
      DROP INDEX inbound_message_system_idx;
      CREATE INDEX inbound_message_received_idx ON inbound_message (external_system_id, received_at);
      DROP INDEX inbound_message_event_key;
      CREATE UNIQUE INDEX inbound_message_event_key ON inbound_message (external_system_id, event_id)
        WHERE event_id IS NOT NULL AND outcome <> 'DUPLICATE';
      DROP INDEX inbound_message_seq_key;
      ALTER TABLE inbound_message DROP COLUMN seq;
      ALTER TABLE inbound_message DROP COLUMN response_status;
      DELETE FROM inbound_message WHERE body IS NULL;
      ALTER TABLE inbound_message ALTER COLUMN body SET NOT NULL;
      ALTER TABLE inbound_message DROP CONSTRAINT inbound_message_outcome_check;
      ALTER TABLE inbound_message DROP CONSTRAINT inbound_message_channel_check;
      UPDATE inbound_message SET channel = 'OUTBOUND_RESPONSE' WHERE channel = 'STATUS_CALL';
      ALTER TABLE inbound_message ADD CONSTRAINT inbound_message_kind_check CHECK (channel IN ('EVENT', 'OUTBOUND_RESPONSE', 'POLL'));
      ALTER TABLE inbound_message ADD CONSTRAINT inbound_message_status_check
        CHECK (outcome IN ('RECEIVED', 'APPLIED', 'DUPLICATE', 'STALE', 'REJECTED'));
      ALTER TABLE inbound_message RENAME COLUMN outcome TO status;
      ALTER TABLE inbound_message RENAME COLUMN channel TO kind;
    `);
  }
}
