import { GraphQLObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { getMetadataStorage, type ResolverData } from 'type-graphql';

type ParamKind = 'context' | 'root' | 'info';
interface Param {
  kind: ParamKind;
  propertyName?: string;
}

/**
 * type-graphql runs every @FieldResolver through the global middlewares (StorableInput,
 * MutationTransaction): a chain of async hops per call. On a field of an object type with no
 * arguments both pass straight on (nothing to check, not a Mutation field), and a page of 100 orders
 * resolves about 500 such fields (children, outboundRequests, ...). Those fields call their method
 * directly instead, as type-graphql would at the end of the chain. A field with arguments, roles
 * (@Authorized), middlewares of its own or a parameter other than @Ctx, @Root and @Info keeps
 * type-graphql's resolver. Returns the fields changed, as `Type.field`.
 */
export function resolveFieldsDirectly(
  schema: GraphQLSchema,
  resolvers: readonly object[],
  instanceOf: (cls: object, data: ResolverData) => unknown,
): string[] {
  const storage = getMetadataStorage();
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  // The resolver metadata type-graphql picks for a field (schema-generator.js): the first match.
  const candidates = storage.fieldResolvers.filter((r) => r.kind === 'external' && resolvers.includes(r.target));
  const changed: string[] = [];
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!(type instanceof GraphQLObjectType) || roots.has(type)) continue;
    for (const field of objectType.fields ?? []) {
      const meta = candidates.find((r) => r.getObjectType?.() === field.target && r.methodName === field.name);
      const schemaField = type.getFields()[field.schemaName];
      if (!meta || !schemaField || schemaField.args.length > 0 || meta.roles !== undefined || (meta.middlewares?.length ?? 0) > 0) continue;
      const params = [...(meta.params ?? [])].sort((a, b) => a.index - b.index);
      if (!params.every((p) => p.kind === 'context' || p.kind === 'info' || (p.kind === 'root' && !p.getType))) continue;
      schemaField.resolve = direct(meta.target, meta.methodName, params as Param[], instanceOf);
      changed.push(`${type.name}.${schemaField.name}`);
    }
  }
  return changed;
}

function direct(
  target: object,
  methodName: string,
  params: Param[],
  instanceOf: (cls: object, data: ResolverData) => unknown,
): GraphQLFieldResolver<unknown, unknown, Record<string, unknown>> {
  return (root, args, context, info) => {
    const instance = instanceOf(target, { root, args, context: context as object, info }) as Record<
      string,
      (...values: unknown[]) => unknown
    >;
    const values = params.map((p) => {
      const value = p.kind === 'context' ? context : p.kind === 'root' ? root : info;
      return p.propertyName ? (value as Record<string, unknown>)[p.propertyName] : value;
    });
    return instance[methodName](...values);
  };
}
