/**
 * The dispatcher's hot statements. Both are PL/pgSQL functions, where their SQL is documented
 * (migrations/1764480000000-DispatchFunctions.ts; the claim as 1796044800000-ClaimByPrimaryKey.ts has
 * it, the delivery as 1796395200000-DeliveriesByPrimaryKey.ts): one round trip and one transaction each, their subscription events included, planned once per
 * connection.
 */

/**
 * Claims up to $5 due requests for instance $2 (lease margin $3 ms), leaving paused systems ($4) alone,
 * and publishes SENDING for each on channel $1. A ClaimedRow per claimed request, in queue order. The
 * function returns a JSON array; it is turned back into rows here so that a payload arrives as its own
 * text column, not escaped inside one big JSON text that is parsed again (a 10,000-node order's payload
 * is 3 MB).
 */
export const CLAIM_SQL = `
  SELECT c.* FROM ROWS FROM (json_populate_recordset(NULL::claimed_outbound_request,
    claim_outbound_requests($1, $2, $3, $4::uuid[], $5))) WITH ORDINALITY AS c ORDER BY c.ordinality`;

export interface ClaimedRow {
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
  /** The payload as JSON text. */
  body: string;
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
