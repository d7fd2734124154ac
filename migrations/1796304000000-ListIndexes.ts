import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every filter the lists offer has an index in the lists' order (newest first by seq), so a filtered first
 * page over millions of rows reads one index range: the filters outbound_request.operation lacked until
 * now; the rest had theirs (state, external system, request id; domain order states and parent; fallout
 * status; inbound message system, channel, outcome and, through its link tables, record).
 * The retention pruner (RETENTION_DAYS) keeps a request or message that a fallout refers to: it looks
 * fallouts up by inbound message, which had no index.
 */
export class ListIndexes1796304000000 implements MigrationInterface {
  name = 'ListIndexes1796304000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX outbound_request_operation_idx ON outbound_request (operation, seq);
      CREATE INDEX fallout_inbound_message_idx ON fallout (inbound_message_id) WHERE inbound_message_id IS NOT NULL;
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX fallout_inbound_message_idx;
      DROP INDEX outbound_request_operation_idx;
    `);
  }
}
