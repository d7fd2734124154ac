/**
 * The dispatcher's hot statements. Both are PL/pgSQL functions, where their SQL is documented
 * (migrations/1764480000000-DispatchFunctions.ts; the claim as 1796044800000-ClaimByPrimaryKey.ts has
 * it, the delivery as 1796395200000-DeliveriesByPrimaryKey.ts): one round trip and one transaction each, their subscription events included, planned once per
 * connection.
 */

/** Characters of a payload per row of the claim's answer. */
export const CLAIM_BODY_PIECE = 262_144;

/**
 * Claims up to $5 due requests for instance $2 (lease margin $3 ms), leaving paused systems ($4) alone,
 * and publishes SENDING for each on channel $1. The function returns a JSON array; it is turned back
 * into rows here so that a payload arrives as text of its own, not escaped inside one big JSON text that
 * is parsed again. Each payload comes in pieces of CLAIM_BODY_PIECE characters, one row per piece (the
 * request's other columns repeated), in queue order then piece order: pg grows its read buffer by
 * doubling until one row fits, and a 10,000-node order's 3 MB payload in one row cost 8 MB of buffers.
 */
export const CLAIM_SQL = `
  SELECT c.ordinality AS n, c.id, c.seq, c.number, c.request_id, c.subject, c.operation, c.external_system_id,
    c.http_method, c.path, p.piece AS body, c.attempts, c.outcome_unknown, c.previous_state, c.system_name,
    c.base_url, c.timeout_ms, c.max_attempts, c.auth_type, c.auth_secret
  FROM ROWS FROM (json_populate_recordset(NULL::claimed_outbound_request,
    claim_outbound_requests($1, $2, $3, $4::uuid[], $5))) WITH ORDINALITY AS c
  CROSS JOIN LATERAL (
    SELECT s, substr(c.body, s, ${CLAIM_BODY_PIECE}) AS piece
    FROM generate_series(1, greatest(coalesce(length(c.body), 0), 1), ${CLAIM_BODY_PIECE}) AS s) AS p
  ORDER BY c.ordinality, p.s`;

export interface ClaimedRow {
  /** The request's place in the answer (a bigint, as text): the rows of one request's pieces share it. */
  n: string;
  id: string;
  /** A bigint, as text. */
  seq: string;
  number: string;
  request_id: string;
  subject: string;
  operation: string;
  external_system_id: string;
  http_method: string;
  path: string;
  /** A piece of the payload's JSON text. */
  body: string | null;
  attempts: number;
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

/**
 * DELIVERED for a batch of requests instance $2 still holds: ids $3 with, for each, the response status,
 * body (JSON text), external id, external state and the path of the resource a CREATE made ($4..$8).
 * Sets the external id and state of the records a CREATE carried, publishes the changes on channel $1,
 * and returns the ids it marked (a request whose lease moved on is left alone).
 */
export const MARK_DELIVERED_SQL = `
  SELECT id FROM mark_outbound_requests_delivered($1, $2, $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[]) AS t(id)`;
