import type { MiddlewareFn } from 'type-graphql';
import { checkStorableInput } from '../services/common/input-checks';

/**
 * Every argument of every field, before its resolver runs: text PostgreSQL cannot store (NUL, lone
 * surrogates) is BAD_USER_INPUT naming the argument's path, whatever the field and however deep, so a
 * new input field cannot forget the check. It runs after @Authorized and before the transaction opens.
 */
export const StorableInput: MiddlewareFn = ({ args }, next) => {
  for (const name in args) checkStorableInput(args[name], name);
  return next();
};
