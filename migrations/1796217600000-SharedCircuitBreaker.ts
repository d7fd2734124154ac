import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The circuit breaker of each external system, shared by every instance: one row per system that has
 * failed (none while it never has). `failures` counts consecutive transient failures seen by any
 * instance; OPEN lasts until `open_until`; then one instance (`trial_holder`) gets the half-open trial.
 * Written by services/outbox/dispatch/shared-breakers.ts, one atomic statement per change.
 */
export class SharedCircuitBreaker1796217600000 implements MigrationInterface {
  name = 'SharedCircuitBreaker1796217600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE circuit_breaker (
        external_system_id uuid PRIMARY KEY REFERENCES external_system (id) ON DELETE CASCADE,
        state text NOT NULL DEFAULT 'CLOSED' CHECK (state IN ('CLOSED', 'OPEN', 'HALF_OPEN')),
        failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        opened_at timestamptz,
        open_until timestamptz,
        trial_holder text,
        trial_started_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (state = 'CLOSED' OR (opened_at IS NOT NULL AND open_until IS NOT NULL)),
        CHECK (state <> 'HALF_OPEN' OR (trial_holder IS NOT NULL AND trial_started_at IS NOT NULL))
      );
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE circuit_breaker;`);
  }
}
