import { unwrapResolverError } from '@apollo/server/errors';
import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { QueryFailedError } from 'typeorm';
import { DomainError } from '../services/common/domain.errors';
import { sqlStateOf } from '../services/common/transient-conflict';

export interface ErrorLogger {
  error(obj: object, msg: string): void;
}

/** Codes graphql-js and Apollo give to problems with the operation itself; all are the caller's input. */
const INPUT_CODES = new Set([
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * graphql-js suggests names of the schema in its messages ("Did you mean …?"); with introspection off
 * that would still teach the schema to whoever guesses, so suggestions are cut from every message.
 */
const SUGGESTION = /\s*Did you mean [\s\S]*$/;

/** `Variable "$input" got invalid value <value> at "input.auth.password"; <why>`: graphql-js prints the value (twice). */
const VARIABLE_VALUE = /^(Variable "\$[A-Za-z0-9_]+" got) invalid value [\s\S]*?(?:( at "[A-Za-z0-9_.[\]]+")?; )([\s\S]*)$/;

/**
 * Coercion messages quote the value they refused, and a value may be a password or a token (a number
 * sent as `password`, an object as `clientSecret`): the value is cut from every such message, the
 * field path and the reason stay (an unknown enum value is still named: no secret is an enum).
 */
export function withoutInputValues(message: string): string {
  const variable = VARIABLE_VALUE.exec(message);
  if (variable) return `${variable[1]} an invalid value${variable[2] ?? ''}; ${withoutInputValues(variable[3])}`;
  return message
    .replace(/^(Expected value of type "[^"]+"), found [\s\S]*$/, '$1.')
    .replace(/^(\w+ cannot represent [^:]*?value): [\s\S]*$/, '$1.')
    .replace(/^(\w+ cannot represent [^:]*?): [\s\S]*$/, '$1.');
}

/**
 * The one formatError: domain errors keep their contract code and message; problems with the query
 * become BAD_USER_INPUT (without suggestions); anything else becomes INTERNAL_SERVER_ERROR with a reference to the log line
 * and nothing of the original (no stack, SQL or secret).
 */
export function createFormatError(logger: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    if (original instanceof ArgumentValidationError) {
      return { ...base, message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (original instanceof QueryFailedError && sqlStateOf(original) === '23505') {
      return {
        ...base,
        message: 'Another request created the same record at the same moment; reload and try again',
        extensions: { code: 'CONFLICT' },
      };
    }
    const code = formatted.extensions?.code;
    // Parse, validation and variable errors happen before any resolver runs: they have no path.
    if (!formatted.path && typeof code === 'string' && INPUT_CODES.has(code)) {
      return { ...base, message: withoutInputValues(formatted.message.replace(SUGGESTION, '')), extensions: { code: 'BAD_USER_INPUT' } };
    }
    const reference = randomUUID();
    logger.error({ err: original, reference, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return {
      ...base,
      message: `Internal server error (reference ${reference}); the details are in the server log`,
      extensions: { code: 'INTERNAL_SERVER_ERROR', reference },
    };
  };
}
