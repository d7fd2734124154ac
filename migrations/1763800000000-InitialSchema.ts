import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Numbers are a prefix and 7 digits (DO0001001), growing past 7 digits rather than wrapping. */
const number = (prefix: string) =>
  `text GENERATED ALWAYS AS ('${prefix}' || CASE WHEN seq < 10000000 THEN lpad(seq::text, 7, '0') ELSE seq::text END) STORED`;

const inList = (values: string[]) => values.map((v) => `'${v}'`).join(', ');
const API = inList(['SERVICE_ORDERING_TMF641', 'SERVICE_TEST_TMF653']);
const SUBJECT = inList(['DOMAIN_ORDER', 'TEST_RUN']);
const FULFILLMENT = inList(['NOT_REQUESTED', 'PENDING', 'FULFILLED', 'ERROR', 'CANCELED']);
const CATEGORY = inList([
  'TIMEOUT',
  'CONNECTION',
  'REMOTE_VALIDATION',
  'REMOTE_BUSINESS',
  'REMOTE_SERVER',
  'AUTHENTICATION',
  'CONFIGURATION',
]);

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE open_api (
        api text PRIMARY KEY CHECK (api IN (${API})),
        active boolean NOT NULL DEFAULT false,
        activated_at timestamptz
      );
      INSERT INTO open_api (api) VALUES ('SERVICE_ORDERING_TMF641'), ('SERVICE_TEST_TMF653');

      CREATE TABLE external_system (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        api text NOT NULL CHECK (api IN (${API})),
        base_url text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        timeout_ms integer NOT NULL CHECK (timeout_ms > 0),
        max_attempts integer NOT NULL CHECK (max_attempts >= 1),
        auth_type text NOT NULL CHECK (auth_type IN ('NONE', 'BASIC', 'BEARER', 'OAUTH2_CLIENT_CREDENTIALS')),
        auth_secret text,
        inbound_token_hash text,
        poll_interval_seconds integer CHECK (poll_interval_seconds > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX external_system_name_key ON external_system (lower(name));

      CREATE TABLE decision_rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject text NOT NULL CHECK (subject IN (${SUBJECT})),
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        priority integer NOT NULL,
        active boolean NOT NULL DEFAULT true,
        conditions jsonb NOT NULL DEFAULT '[]',
        hierarchical boolean NOT NULL,
        external_system_id uuid NOT NULL REFERENCES external_system (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX decision_rule_subject_priority_idx ON decision_rule (subject, priority) WHERE active;
      CREATE INDEX decision_rule_external_system_idx ON decision_rule (external_system_id);

      CREATE SEQUENCE domain_order_seq START 1001;
      CREATE TABLE domain_order (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint NOT NULL DEFAULT nextval('domain_order_seq'),
        number ${number('DO')},
        parent_id uuid REFERENCES domain_order (id),
        root_id uuid NOT NULL REFERENCES domain_order (id),
        depth integer NOT NULL DEFAULT 0,
        name text,
        category text,
        domain text,
        action text NOT NULL CHECK (action IN ('ADD', 'MODIFY', 'DELETE', 'NO_CHANGE')),
        service_specification jsonb NOT NULL,
        service_id text,
        characteristics jsonb NOT NULL DEFAULT '[]',
        state text NOT NULL DEFAULT 'DRAFT' CHECK (state IN (
          'DRAFT', 'SCHEDULED', 'IN_PROGRESS', 'ON_HOLD', 'CLOSED_COMPLETE', 'CANCELLATION_IN_PROGRESS', 'CANCELED')),
        version integer NOT NULL DEFAULT 1,
        point_of_no_return boolean NOT NULL DEFAULT false,
        updates_available boolean NOT NULL DEFAULT false,
        fulfillment_state text NOT NULL DEFAULT 'NOT_REQUESTED' CHECK (fulfillment_state IN (${FULFILLMENT})),
        external_state text,
        external_id text,
        last_event_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER SEQUENCE domain_order_seq OWNED BY domain_order.seq;
      CREATE UNIQUE INDEX domain_order_number_key ON domain_order (number);
      CREATE UNIQUE INDEX domain_order_seq_key ON domain_order (seq);
      CREATE INDEX domain_order_parent_idx ON domain_order (parent_id, seq);
      CREATE INDEX domain_order_root_idx ON domain_order (root_id);
      CREATE INDEX domain_order_fulfillment_state_idx ON domain_order (fulfillment_state, seq);
      CREATE INDEX domain_order_state_idx ON domain_order (state, seq);
      CREATE INDEX domain_order_external_id_idx ON domain_order (external_id) WHERE external_id IS NOT NULL;

      CREATE TABLE test_specification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_id text NOT NULL CHECK (length(btrim(external_id)) > 0),
        name text NOT NULL CHECK (length(btrim(name)) > 0),
        version text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX test_specification_external_id_idx ON test_specification (external_id);

      CREATE TABLE test_measure_definition (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        specification_id uuid NOT NULL REFERENCES test_specification (id) ON DELETE CASCADE,
        position integer NOT NULL,
        definition_id text,
        metric_name text NOT NULL,
        unit_of_measure text,
        value_type text,
        UNIQUE (specification_id, position)
      );

      CREATE SEQUENCE test_run_seq START 1001;
      CREATE TABLE test_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint NOT NULL DEFAULT nextval('test_run_seq'),
        number ${number('TR')},
        parent_id uuid REFERENCES test_run (id),
        root_id uuid NOT NULL REFERENCES test_run (id),
        depth integer NOT NULL DEFAULT 0,
        name text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('ON_DEMAND', 'PROACTIVE')),
        specification_id uuid NOT NULL REFERENCES test_specification (id),
        related_service_id text NOT NULL,
        characteristics jsonb NOT NULL DEFAULT '[]',
        version integer NOT NULL DEFAULT 1,
        updates_available boolean NOT NULL DEFAULT false,
        fulfillment_state text NOT NULL DEFAULT 'NOT_REQUESTED' CHECK (fulfillment_state IN (${FULFILLMENT})),
        external_state text,
        external_id text,
        last_event_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER SEQUENCE test_run_seq OWNED BY test_run.seq;
      CREATE UNIQUE INDEX test_run_number_key ON test_run (number);
      CREATE UNIQUE INDEX test_run_seq_key ON test_run (seq);
      CREATE INDEX test_run_parent_idx ON test_run (parent_id, seq);
      CREATE INDEX test_run_root_idx ON test_run (root_id);
      CREATE INDEX test_run_fulfillment_state_idx ON test_run (fulfillment_state, seq);
      CREATE INDEX test_run_specification_idx ON test_run (specification_id);
      CREATE INDEX test_run_external_id_idx ON test_run (external_id) WHERE external_id IS NOT NULL;

      CREATE TABLE test_measure_result (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        test_run_id uuid NOT NULL REFERENCES test_run (id),
        definition_id uuid REFERENCES test_measure_definition (id),
        metric_name text NOT NULL,
        value text,
        unit_of_measure text,
        capture_date_time timestamptz,
        rule_violations jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX test_measure_result_run_idx ON test_measure_result (test_run_id);

      CREATE SEQUENCE outbound_request_seq START 1001;
      CREATE TABLE outbound_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint NOT NULL DEFAULT nextval('outbound_request_seq'),
        number ${number('FO')},
        request_id text NOT NULL,
        subject text NOT NULL CHECK (subject IN (${SUBJECT})),
        operation text NOT NULL CHECK (operation IN ('CREATE', 'REVISE', 'CANCEL')),
        api text NOT NULL CHECK (api IN (${API})),
        external_system_id uuid NOT NULL REFERENCES external_system (id),
        rule_id uuid REFERENCES decision_rule (id) ON DELETE SET NULL,
        hierarchical boolean NOT NULL DEFAULT false,
        state text NOT NULL CHECK (state IN ('QUEUED', 'SENDING', 'RETRY_SCHEDULED', 'DELIVERED', 'ERROR', 'DISCARDED')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_owner text,
        lease_expires_at timestamptz,
        http_method text NOT NULL,
        path text NOT NULL,
        payload jsonb NOT NULL,
        response_status integer,
        response_body jsonb,
        external_id text,
        error jsonb,
        depends_on_id uuid REFERENCES outbound_request (id),
        outcome_unknown boolean NOT NULL DEFAULT false,
        discard_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      );
      ALTER SEQUENCE outbound_request_seq OWNED BY outbound_request.seq;
      CREATE UNIQUE INDEX outbound_request_number_key ON outbound_request (number);
      CREATE UNIQUE INDEX outbound_request_seq_key ON outbound_request (seq);
      CREATE INDEX outbound_request_request_id_idx ON outbound_request (request_id);
      CREATE INDEX outbound_request_external_system_idx ON outbound_request (external_system_id, seq);
      CREATE INDEX outbound_request_state_idx ON outbound_request (state, seq);
      CREATE INDEX outbound_request_due_idx ON outbound_request (next_attempt_at)
        WHERE state IN ('QUEUED', 'RETRY_SCHEDULED');
      CREATE INDEX outbound_request_lease_idx ON outbound_request (lease_expires_at) WHERE state = 'SENDING';
      -- The dispatcher's claim walks live rows in seq order; without this it would walk every row
      -- ever delivered before reaching the few that are due.
      CREATE INDEX outbound_request_live_idx ON outbound_request (seq) WHERE state IN ('QUEUED', 'RETRY_SCHEDULED', 'SENDING');
      CREATE INDEX outbound_request_depends_on_idx ON outbound_request (depends_on_id) WHERE depends_on_id IS NOT NULL;
      CREATE INDEX outbound_request_external_id_idx ON outbound_request (external_id) WHERE external_id IS NOT NULL;

      CREATE TABLE outbound_request_domain_order (
        outbound_request_id uuid NOT NULL REFERENCES outbound_request (id) ON DELETE CASCADE,
        domain_order_id uuid NOT NULL REFERENCES domain_order (id),
        position integer NOT NULL,
        record_version integer NOT NULL,
        PRIMARY KEY (outbound_request_id, domain_order_id)
      );
      CREATE INDEX outbound_request_domain_order_order_idx ON outbound_request_domain_order (domain_order_id);

      CREATE TABLE outbound_request_test_run (
        outbound_request_id uuid NOT NULL REFERENCES outbound_request (id) ON DELETE CASCADE,
        test_run_id uuid NOT NULL REFERENCES test_run (id),
        position integer NOT NULL,
        record_version integer NOT NULL,
        PRIMARY KEY (outbound_request_id, test_run_id)
      );
      CREATE INDEX outbound_request_test_run_run_idx ON outbound_request_test_run (test_run_id);

      CREATE SEQUENCE fallout_seq START 1001;
      CREATE TABLE fallout (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint NOT NULL DEFAULT nextval('fallout_seq'),
        outbound_request_id uuid NOT NULL REFERENCES outbound_request (id),
        category text NOT NULL CHECK (category IN (${CATEGORY})),
        message text NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'RESOLVED')),
        resolution text,
        resolved_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      );
      ALTER SEQUENCE fallout_seq OWNED BY fallout.seq;
      CREATE UNIQUE INDEX fallout_seq_key ON fallout (seq);
      CREATE INDEX fallout_status_idx ON fallout (status, seq);
      CREATE INDEX fallout_outbound_request_idx ON fallout (outbound_request_id);

      CREATE TABLE inbound_message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_system_id uuid NOT NULL REFERENCES external_system (id),
        kind text NOT NULL CHECK (kind IN ('EVENT', 'OUTBOUND_RESPONSE', 'POLL')),
        event_id text,
        event_type text,
        event_time timestamptz,
        body jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('RECEIVED', 'APPLIED', 'DUPLICATE', 'STALE', 'REJECTED')),
        reason text,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX inbound_message_event_key ON inbound_message (external_system_id, event_id)
        WHERE event_id IS NOT NULL AND status <> 'DUPLICATE';
      CREATE INDEX inbound_message_received_idx ON inbound_message (external_system_id, received_at);
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE inbound_message;
      DROP TABLE fallout;
      DROP TABLE outbound_request_test_run;
      DROP TABLE outbound_request_domain_order;
      DROP TABLE outbound_request;
      DROP TABLE test_measure_result;
      DROP TABLE test_run;
      DROP TABLE test_measure_definition;
      DROP TABLE test_specification;
      DROP TABLE domain_order;
      DROP TABLE decision_rule;
      DROP TABLE external_system;
      DROP TABLE open_api;
    `);
  }
}
