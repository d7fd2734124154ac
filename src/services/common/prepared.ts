/**
 * Marks a statement for the PostgreSQL connection to prepare (database/pg-client.ts): one whose best plan
 * does not depend on the values of its parameters (rows by id or by root, an INSERT, an UPDATE by id) and
 * that names its columns (no `*`). A page filtered by a skewed column (outboundRequests(state: ERROR))
 * must stay unmarked: after its fifth run a prepared statement may run one generic plan for every value,
 * and for a rare state that plan walks the whole table instead of the state's index.
 */
export const PREPARE_MARK = ' /* prepared */';

export const prepared = (sql: string): string => sql + PREPARE_MARK;
