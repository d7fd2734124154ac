import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Big tables for the bench, each in one INSERT … SELECT generate_series statement (foreign keys and
 * triggers skipped while seeding: session_replication_role = replica). Distributions make every list
 * filter selective: 1 row in 100 matches it, so a first page must come from an index.
 */

const TABLES = ['outbound_request', 'domain_order', 'fallout', 'inbound_message', 'inbound_message_domain_order'];

/**
 * Runs the seeding statements with the tables' indexes (but their primary keys) dropped and built again
 * afterwards, exactly as the migrations defined them: one sorted build is several times faster than a
 * million index insertions.
 */
async function seeding(dataSource: DataSource, statements: string[], params: unknown[][]): Promise<void> {
  await dataSource.transaction(async (m) => {
    await m.query(`SET LOCAL session_replication_role = replica`);
    const indexes = await m.query<{ name: string; definition: string }[]>(
      `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)`,
      [TABLES],
    );
    for (const index of indexes) await m.query(`DROP INDEX "${index.name}"`);
    for (const [i, sql] of statements.entries()) await m.query(sql, params[i]);
    for (const index of indexes) await m.query(index.definition);
  });
  await dataSource.query('VACUUM ANALYZE');
}

const requestRow = (state: string) => `
  SELECT 'seed-' || (g / 3), 'DOMAIN_ORDER', CASE WHEN g % 100 = 7 THEN 'CANCEL' ELSE 'CREATE' END, 'SERVICE_ORDERING_TMF641',
         CASE WHEN g % 100 = 3 THEN $3::uuid ELSE $2::uuid END, ${state}, 'POST', '/serviceOrder',
         jsonb_build_object('externalId', 'seed-' || (g / 3), 'serviceOrderItem', jsonb_build_array(jsonb_build_object('id', g::text, 'action', 'add'))),
         201, 'SO-' || g, now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'`;
const REQUEST_COLUMNS = `(request_id, subject, operation, api, external_system_id, state, http_method, path, payload,
  response_status, external_id, delivered_at, created_at, updated_at)`;

/** `delivered` DELIVERED requests (1 in 100 ERROR, CANCEL, or of the other system), then `queued` QUEUED ones for `systemId`. */
export async function seedRequests(
  dataSource: DataSource,
  systemId: string,
  otherSystemId: string,
  delivered: number,
  queued: number,
): Promise<void> {
  await seeding(
    dataSource,
    [
      `INSERT INTO outbound_request ${REQUEST_COLUMNS}
       ${requestRow(`CASE WHEN g % 100 = 5 THEN 'ERROR' ELSE 'DELIVERED' END`)} FROM generate_series(1, $1::int) g`,
      `INSERT INTO outbound_request ${REQUEST_COLUMNS}
       SELECT 'seed-q-' || g, 'DOMAIN_ORDER', 'CREATE', 'SERVICE_ORDERING_TMF641', $2::uuid, 'QUEUED', 'POST', '/serviceOrder',
              jsonb_build_object('externalId', 'seed-q-' || g), NULL, NULL, NULL, now(), now()
         FROM generate_series(1, $1::int) g`,
    ],
    [
      [delivered, systemId, otherSystemId],
      [queued, systemId],
    ],
  );
}

/**
 * `n` rows in each list's table: domain orders (a root and 9 children per 10; 1 in 100 ERROR, 1 in 100
 * ON_HOLD), fallouts (1 in 100 OPEN), inbound messages (1 in 100 from the other system, a POLL, REJECTED;
 * every 100th linked to one of 100 orders). Outbound requests come from seedRequests.
 */
export async function seedLists(dataSource: DataSource, systemId: string, otherSystemId: string, n: number): Promise<void> {
  await seeding(
    dataSource,
    [
      `INSERT INTO domain_order (id, parent_id, root_id, depth, action, service_specification, state, fulfillment_state, created_at)
       SELECT CASE WHEN g % 10 = 0 THEN md5('root' || (g / 10))::uuid ELSE md5('node' || g)::uuid END,
              CASE WHEN g % 10 = 0 THEN NULL ELSE md5('root' || (g / 10))::uuid END,
              md5('root' || (g / 10))::uuid, CASE WHEN g % 10 = 0 THEN 0 ELSE 1 END, 'ADD', '{"id":"seed"}',
              CASE WHEN g % 100 = 11 THEN 'ON_HOLD' ELSE 'CLOSED_COMPLETE' END,
              CASE WHEN g % 100 = 13 THEN 'ERROR' ELSE 'FULFILLED' END, now() - interval '1 day'
         FROM generate_series(0, $1::int - 1) g`,
      `INSERT INTO fallout (outbound_request_id, category, message, status, created_at)
       SELECT (SELECT id FROM outbound_request ORDER BY seq LIMIT 1), 'REMOTE_BUSINESS', 'seeded ' || g,
              CASE WHEN g % 100 = 17 THEN 'OPEN' ELSE 'RESOLVED' END, now() - interval '1 day'
         FROM generate_series(1, $1::int) g`,
      `INSERT INTO inbound_message (id, external_system_id, channel, event_id, event_type, body, outcome, received_at)
       SELECT md5('message' || g)::uuid, CASE WHEN g % 100 = 19 THEN $3::uuid ELSE $2::uuid END,
              CASE WHEN g % 100 = 23 THEN 'POLL' ELSE 'EVENT' END, 'e-' || g, 'ServiceOrderStateChangeEvent', '{}',
              CASE WHEN g % 100 = 29 THEN 'REJECTED' ELSE 'APPLIED' END, now() - interval '1 day'
         FROM generate_series(1, $1::int) g`,
      `INSERT INTO inbound_message_domain_order (inbound_message_id, domain_order_id)
       SELECT md5('message' || g)::uuid, md5('root' || ((g / 100) % 100))::uuid FROM generate_series(100, $1::int, 100) g`,
    ],
    [[n], [n], [n, systemId, otherSystemId], [n]],
  );
}

/** The id seedLists gave the k-th root order (as PostgreSQL's md5(text)::uuid). */
export function seededRootId(k: number): string {
  const hex = createHash('md5').update(`root${k}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
