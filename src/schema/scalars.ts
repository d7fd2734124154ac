import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

/** The contract's `DateTime` (ISO-8601 with time zone) and `JSON` scalars. */
export const DateTime = DateTimeResolver;
export const JSONScalar = JSONResolver;
