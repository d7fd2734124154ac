import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isLeafType,
  isListType,
  isScalarType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type TypeNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../services/common/pagination';

/**
 * How many items a list field that is not paginated is expected to hold, for the cost estimate. The
 * numbers are what a busy gateway sees, not the worst case: a CFS order has a few RFS children, a record a
 * few outbound requests (create, revise, cancel), a hierarchical request covers a whole tree. A list
 * field not named here (a new one, introspection) counts DEFAULT_LIST_SIZE, so it is never free.
 */
export const LIST_SIZES: Readonly<Record<string, number>> = {
  'DomainOrder.children': 4,
  'TestRun.children': 4,
  'DomainOrder.outboundRequests': 3,
  'TestRun.outboundRequests': 3,
  'OutboundRequest.domainOrders': 50,
  'OutboundRequest.testRuns': 2,
  'FulfillmentRequest.outboundRequests': 10,
};
export const DEFAULT_LIST_SIZE = 10;

/** Objects made from their parent's own columns (no load of their own), and connection wrappers: free. */
const INLINE_TYPES = new Set(['Characteristic', 'SpecificationRef', 'OutboundError', 'RuleCondition', 'PageInfo']);
const ownCost = (typeName: string) => (INLINE_TYPES.has(typeName) || typeName.endsWith('Edge') ? 0 : 1);

/**
 * The cost of a field: every object it resolves counts 1 (scalars, enums and INLINE_TYPES ride along with
 * their parent), a list multiplies its items' cost by its expected size, and a connection (a field returning
 * `…Connection`) by the page size asked for with `first` (a variable counts with its value).
 */
const objectCount: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const named = getNamedType(field.type);
  if (isLeafType(named)) return 0;
  if (named.name.endsWith('Connection') && 'first' in args) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    // Sizes past the cap are refused by the pagination itself, with a message that says so.
    return 1 + Math.min(Math.max(first, 0), MAX_PAGE_SIZE) * childComplexity;
  }
  const each = ownCost(named.name) + childComplexity;
  if (!isListType(getNullableType(field.type))) return each;
  // The items of a connection's `edges` are counted by the connection field above.
  const size = type.name.endsWith('Connection') ? 1 : listSize(type.name, field);
  return size * each;
};

function listSize(typeName: string, field: GraphQLField<unknown, unknown>): number {
  return LIST_SIZES[`${typeName}.${field.name}`] ?? DEFAULT_LIST_SIZE;
}

/** Fields and fragment spreads evaluated at most; fragments spread again and again are counted each time. */
const MAX_QUERY_NODES = 20_000;

/**
 * The estimated number of objects an operation resolves with these variables. A field may set its own
 * cost with type-graphql's `complexity` option (read from the field's extensions). Throws a GraphQLError
 * when the operation has more than MAX_QUERY_NODES nodes (fragments spread inside each other).
 *
 * The estimate is remembered per document (Apollo hands every request of one query text the same parsed
 * document), operation and values of the variables it reads (see `estimateInputs`): a console polling
 * one query, or clients submitting with one mutation, pay the walk once, not on every request.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): number {
  let bySchema = estimates.get(schema);
  if (!bySchema) estimates.set(schema, (bySchema = new WeakMap()));
  let known = bySchema.get(document);
  if (!known) bySchema.set(document, (known = { inputs: estimateInputs(schema, document), costs: new Map() }));
  // A variable left out and one given as null are different (an omitted argument, a null one).
  const given = known.inputs.map((name) => (name in variables ? (JSON.stringify(variables[name]) ?? 'undefined') : '-'));
  const key = `${operationName ?? ''}\u0000${given.join('\u0000')}`;
  const remembered = known.costs.get(key);
  if (remembered !== undefined) return remembered;
  const cost = getComplexity({
    schema,
    query: withOpaqueInputs(schema, document),
    operationName: operationName ?? undefined,
    variables,
    maxQueryNodes: MAX_QUERY_NODES,
    estimators: [fieldExtensionsEstimator(), objectCount],
  });
  if (known.costs.size >= MAX_ESTIMATES_PER_DOCUMENT) known.costs.clear();
  known.costs.set(key, cost);
  return cost;
}

/** Estimates made, by schema and document; a document no longer cached by Apollo is let go with them. */
const estimates = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, { inputs: string[]; costs: Map<string, number> }>>();
/** Different `first` values of one document kept at once (a client paging through sizes); then start over. */
const MAX_ESTIMATES_PER_DOCUMENT = 64;

/**
 * The variables an estimate of this document depends on, sorted: those in a `first` argument (page sizes),
 * in a directive (@skip and @include decide which fields count) and in any argument of a field with a cost
 * of its own (`complexity`, which may read its arguments). Every other variable (ids, inputs) changes nothing
 * in the figure; one missing or of the wrong type makes the estimate throw, which checkCost leaves to the
 * execution to report, so remembered or not, such a request gets the execution's error (or, when the
 * remembered figure is over the limit, the limit's).
 */
function estimateInputs(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable: (v) => {
        names.add(v.name.value);
      },
    });
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition: () => false,
      Directive: (node) => {
        collect(node);
        return false;
      },
      Argument: (node) => {
        const field = typeInfo.getFieldDef();
        if (node.name.value === 'first' || field?.extensions.complexity !== undefined) collect(node);
      },
    }),
  );
  return [...names].sort();
}

/**
 * The document with its input-object variables typed JSON (taken as they are): the estimate reads only
 * `first`, a scalar argument, and getComplexity coerces every variable first, so a 10,000-node
 * createDomainOrder input was coerced (copied) once more than execution does, for nothing.
 */
function withOpaqueInputs(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const json = schema.getType('JSON');
  if (!isScalarType(json)) return document;
  const opaque = (type: TypeNode): TypeNode => {
    if (type.kind !== Kind.NAMED_TYPE) return { ...type, type: opaque(type.type) } as TypeNode;
    return isInputObjectType(schema.getType(type.name.value)) ? { ...type, name: { ...type.name, value: json.name } } : type;
  };
  return visit(document, { VariableDefinition: (node) => ({ ...node, type: opaque(node.type) }) });
}
