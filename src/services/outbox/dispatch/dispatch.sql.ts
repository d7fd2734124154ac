/**
 * The dispatcher's hot statements. Both are PL/pgSQL functions, where their SQL is documented
 * (migrations/1764480000000-DispatchFunctions.ts; the claim as 1796044800000-ClaimByPrimaryKey.ts has
 * it, the delivery as 1796395200000-DeliveriesByPrimaryKey.ts): one round trip and one transaction each, their subscription events included, planned once per
 * connection.
 */

/** Bytes of a payload per row of the claim's answer (a piece ends at a character's end, up to 3 bytes later). */
export const CLAIM_BODY_PIECE = 262_144;

/** Where piece k of UTF-8 bytes b starts: at k * CLAIM_BODY_PIECE, or past the continuation bytes there. */
const pieceStart = (k: string, b: string) => {
  const at = (d: number) => `${k} * ${CLAIM_BODY_PIECE} + ${d}`;
  const starts = (d: number) => `${at(d)} >= length(${b}) OR get_byte(${b}, ${at(d)}) & 192 <> 128`;
  return `CASE WHEN ${k} = 0 THEN 0 WHEN ${starts(0)} THEN ${at(0)} WHEN ${starts(1)} THEN ${at(1)}
    WHEN ${starts(2)} THEN ${at(2)} ELSE ${at(3)} END`;
};

/**
 * Claims up to $5 due requests for instance $2 (lease margin $3 ms), leaving paused systems ($4) alone,
 * and publishes SENDING for each on channel $1. The function returns a JSON array; it is turned back
 * into rows here so that a payload arrives as text of its own, not escaped inside one big JSON text that
 * is parsed again. Each payload comes in pieces of about CLAIM_BODY_PIECE bytes, one row per piece (the
 * request's other columns repeated), in queue order then piece order: pg grows its read buffer by
 * doubling until one row fits, and a 10,000-node order's 3 MB payload in one row cost 8 MB of buffers.
 * The pieces are cut in the payload's bytes (substr by characters walks the text from its start, for
 * every piece); OFFSET 0 keeps the bytes computed once, not once for each use. A payload of one piece
 * (nearly all of them) is not converted or cut at all: that work cost about 6% of dispatch throughput.
 */
export const CLAIM_SQL = `
  SELECT c.ordinality AS n, c.id, c.seq, c.number, c.request_id, c.subject, c.operation, c.external_system_id,
    c.http_method, c.path, p.piece AS body, c.attempts, c.outcome_unknown, c.previous_state, c.system_name,
    c.base_url, c.timeout_ms, c.max_attempts, c.auth_type, c.auth_secret
  FROM ROWS FROM (json_populate_recordset(NULL::claimed_outbound_request,
    claim_outbound_requests($1, $2, $3, $4::uuid[], $5))) WITH ORDINALITY AS c
  CROSS JOIN LATERAL (
    SELECT 0 AS k, c.body AS piece WHERE coalesce(octet_length(c.body), 0) <= ${CLAIM_BODY_PIECE}
    UNION ALL
    SELECT s.k, convert_from(substring(u.b FROM s.at + 1 FOR lead(s.at, 1, length(u.b)) OVER (ORDER BY s.k) - s.at), 'UTF8')
    FROM (SELECT convert_to(c.body, 'UTF8') AS b WHERE octet_length(c.body) > ${CLAIM_BODY_PIECE} OFFSET 0) AS u
    CROSS JOIN LATERAL (SELECT k, ${pieceStart('k', 'u.b')} AS at
          FROM generate_series(0, (length(u.b) - 1) / ${CLAIM_BODY_PIECE}) AS k) AS s) AS p
  ORDER BY c.ordinality, p.k`;

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
