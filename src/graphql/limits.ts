import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import type { GraphQLConfig } from '../config';
import { queryCost } from './query-cost';

export type GraphQLLimits = Omit<GraphQLConfig, 'introspection'>;

/** Input values (variables or inline arguments) nested deeper than this are refused before coercion. */
export const MAX_INPUT_DEPTH = 100;

/** A refusal of the whole operation: BAD_USER_INPUT, HTTP 400, before anything is executed. */
export function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/** graphql-js stops lexing a document past maxTokens ("Document contains more than N tokens"). */
export function parseOptions(limits: GraphQLLimits): { maxTokens: number } {
  return { maxTokens: limits.maxTokens };
}

const report = (context: ValidationContext | null, error: GraphQLError) =>
  context?.reportError(limitError(error.message.replace(/^Syntax Error: /, '')));

/**
 * The shape limits of a document (GraphQL Armor's rules: depth, aliases, directives) and the nesting of
 * its inline input values, as validation rules: each only walks the document. graphql-js's own rules run
 * beside them within its own work budget (OverlappingFieldsCanBeMerged gives up past it).
 */
export function documentLimitRules(limits: GraphQLLimits): ValidationRule[] {
  const armor = { propagateOnRejection: false, onReject: [report] };
  return [
    // Fragments add no depth of their own: depth is how far the data nests.
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...armor }),
    maxAliasesRule({ n: limits.maxAliases, ...armor }),
    maxDirectivesRule({ n: limits.maxDirectives, ...armor }),
    inlineInputDepthRule,
  ];
}

const inlineInputDepthRule: ValidationRule = (context) => ({
  Argument(node) {
    if (tooDeep(node.value, childValues)) {
      context.reportError(limitError(`Argument "${node.name.value}" is nested more than ${MAX_INPUT_DEPTH} levels deep`));
    }
    return false;
  },
  VariableDefinition(node) {
    if (node.defaultValue && tooDeep(node.defaultValue, childValues)) {
      context.reportError(
        limitError(`The default value of "$${node.variable.name.value}" is nested more than ${MAX_INPUT_DEPTH} levels deep`),
      );
    }
    return false;
  },
});

/** The items of a list or the field values of an input object; null for anything else. */
function childValues(value: unknown): unknown[] | null {
  const node = value as ValueNode;
  if (node.kind === Kind.LIST) return [...node.values];
  if (node.kind === Kind.OBJECT) return node.fields.map((f) => f.value);
  return null;
}

function childJson(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value as unknown[];
  if (value !== null && typeof value === 'object') return Object.values(value as Record<string, unknown>);
  return null;
}

/** More than MAX_INPUT_DEPTH lists and objects inside each other; walks without recursion, so any depth is safe. */
function tooDeep(root: unknown, children: (value: unknown) => unknown[] | null): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    const next = children(value);
    if (next === null) continue;
    if (depth > MAX_INPUT_DEPTH) return true;
    for (const child of next) stack.push([child, depth + 1]);
  }
  return false;
}

/** Variables nested deeper than MAX_INPUT_DEPTH (coercing them would recurse that deep). */
export function checkVariables(variables: Record<string, unknown> | null | undefined): GraphQLError[] {
  return Object.entries(variables ?? {})
    .filter(([, value]) => tooDeep(value, childJson))
    .map(([name]) => limitError(`Variable "$${name}" is nested more than ${MAX_INPUT_DEPTH} levels deep`));
}

/** The estimated cost against GRAPHQL_MAX_COST; variables must have passed checkVariables. */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: GraphQLLimits,
): GraphQLError[] {
  let cost: number;
  try {
    cost = queryCost(schema, document, operationName, variables ?? {});
  } catch (err) {
    if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message)) {
      return [limitError('The operation has too many fields once its fragments are spread; write it with fewer')];
    }
    // Bad variables: the execution reports them with the usual message.
    return [];
  }
  if (cost <= limits.maxCost) return [];
  return [
    limitError(
      `The operation would resolve about ${Math.round(cost)} objects; at most ${limits.maxCost} are allowed. ` +
        'Ask for smaller pages (first) or fewer nested lists',
    ),
  ];
}

/** The variables' nesting, then (coercing them, so only when that passed) the cost. */
function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: GraphQLLimits,
): GraphQLError[] {
  const nested = checkVariables(variables);
  return nested.length ? nested : checkCost(schema, document, operationName, variables, limits);
}

/**
 * The limits that depend on the variables, in Apollo's request pipeline after validation and before
 * execution, on every request (Apollo caches validated documents, not their variables). An error thrown
 * here is the answer, with its HTTP status. The document's shape is checked by documentLimitRules.
 */
export function limitsPlugin(limits: GraphQLLimits): ApolloServerPlugin {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ schema, document, operationName, request }) {
          const [error] = checkOperation(schema, document, operationName, request.variables, limits);
          return error ? Promise.reject(error) : Promise.resolve();
        },
      });
    },
  };
}

export interface OperationPayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * The same checks for graphql-ws, in graphql-ws's onSubscribe: parse within the token limit, the shape
 * limits, graphql-js validation (without introspection when it is off), the variables and the cost.
 * Returns what graphql-ws executes, or the errors to answer with.
 */
export function prepareOperation(
  schema: GraphQLSchema,
  payload: OperationPayload,
  limits: GraphQLLimits,
  options: { introspection: boolean },
): Pick<ExecutionArgs, 'schema' | 'document' | 'operationName' | 'variableValues'> | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, parseOptions(limits));
  } catch (err) {
    if (err instanceof GraphQLError) return withCode([err], 'GRAPHQL_PARSE_FAILED');
    throw err;
  }
  const shape = validate(schema, document, documentLimitRules(limits));
  if (shape.length) return [...shape];
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const invalid = validate(schema, document, rules);
  if (invalid.length) return withCode(invalid, 'GRAPHQL_VALIDATION_FAILED');
  const refused = checkOperation(schema, document, payload.operationName, payload.variables, limits);
  if (refused.length) return refused;
  return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
}

/** The codes Apollo gives the same errors over HTTP, so formatError treats both transports alike. */
function withCode(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map(
    (e) => new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, code } }),
  );
}
