/**
 * Domain errors: small classes with the contract's literal codes. formatError (src/graphql/format-error.ts)
 * turns them into GraphQL errors with extensions.code; everything else becomes INTERNAL_SERVER_ERROR.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** Extra, safe-to-show extensions (e.g. the offending field). */
  readonly details: Record<string, unknown> = {};

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what: string, id: string, field?: string) {
    super(`${what} ${JSON.stringify(id)} does not exist${field ? ` (${field})` : ''}`);
    if (field) this.details.field = field;
  }
}

/** Bad input; `field` names the input field (e.g. "input.baseUrl"). */
export class BadUserInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string, field?: string) {
    super(message);
    if (field) this.details.field = field;
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class ApiNotActiveError extends DomainError {
  readonly code = 'API_NOT_ACTIVE';
}

export class NoMatchingRuleError extends DomainError {
  readonly code = 'NO_MATCHING_RULE';
}

export class FulfillmentNotAllowedError extends DomainError {
  readonly code = 'FULFILLMENT_NOT_ALLOWED';
}

export class NoUpdatesAvailableError extends DomainError {
  readonly code = 'NO_UPDATES_AVAILABLE';
}

export class PointOfNoReturnError extends DomainError {
  readonly code = 'POINT_OF_NO_RETURN';
}

export class TestMeasureDefinitionIdMissingError extends DomainError {
  readonly code = 'TEST_MEASURE_DEFINITION_ID_MISSING';
}

export class ExternalSystemDisabledError extends DomainError {
  readonly code = 'EXTERNAL_SYSTEM_DISABLED';
}

export class CancellationNotAllowedError extends DomainError {
  readonly code = 'CANCELLATION_NOT_ALLOWED';
}
