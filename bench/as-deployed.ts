/**
 * The bench measures the gateway as it is deployed (docs/operations.md): NODE_ENV=production unless the
 * caller says otherwise. graphql-js reads it once, when it loads, and off production it checks every
 * type test against a second copy of itself (its instanceOf: about 4% of a nested read's CPU). So this
 * module is imported before anything that loads graphql; the tree's child process inherits it.
 */
process.env.NODE_ENV ??= 'production';

export const NODE_ENV = process.env.NODE_ENV;
