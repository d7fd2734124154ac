import {
  getNamedType,
  GraphQLObjectType,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import type { PropertySelection } from '../services/common/entity-rows';

/** What the field resolvers read of their parent, by resolver class and method (see Reads). */
const declared = new Map<object, Map<string, readonly string[]>>();

/**
 * Declares the properties of its parent a field resolver reads (`@Reads('id')`, `@Reads('parentId')`):
 * an operation that selects the field then reads those columns of the parent's rows, no more. A field
 * resolver that declares nothing is taken to read the whole entity.
 */
export function Reads(...properties: string[]): MethodDecorator {
  return (prototype, methodName) => {
    const owner = prototype.constructor;
    let methods = declared.get(owner);
    if (!methods) declared.set(owner, (methods = new Map<string, readonly string[]>()));
    methods.set(String(methodName), properties);
  };
}

/** Per object type of a schema: the fields that do not read the property of their own name, and what they read (null: everything). */
type TypeReads = Map<string, readonly string[] | null>;

const schemaReads = new WeakMap<GraphQLSchema, Map<string, TypeReads>>();

function readsOf(schema: GraphQLSchema, typeName: string): TypeReads | undefined {
  let types = schemaReads.get(schema);
  if (!types) {
    types = new Map();
    const storage = getMetadataStorage();
    for (const objectType of storage.objectTypes) {
      const reads: TypeReads = new Map();
      for (const field of objectType.fields ?? []) if (field.name !== field.schemaName) reads.set(field.schemaName, [field.name]);
      types.set(objectType.name, reads);
    }
    // The field resolvers (the first declared for a field is the one the schema uses, as in type-graphql).
    for (const resolver of storage.fieldResolvers) {
      const target = resolver.getObjectType?.();
      const objectType = target && storage.objectTypes.find((o) => o.target === target);
      const reads = objectType && types.get(objectType.name);
      if (!reads || reads.has(resolver.schemaName)) continue;
      reads.set(resolver.schemaName, declared.get(resolver.target)?.get(resolver.methodName) ?? null);
    }
    schemaReads.set(schema, types);
  }
  return types.get(typeName);
}

interface Remembered {
  nodes: readonly FieldNode[];
  path: string;
  selection: PropertySelection | null;
}

/** Per field node of an operation's document: the selections worked out (one field resolves once per parent). */
const remembered = new WeakMap<FieldNode, Remembered[]>();

/**
 * The properties an operation reads of the objects the resolving field returns (or, along `path`, of
 * those under it: `['edges', 'node']` for a connection's nodes): each selected field's own property, or
 * what its field resolver declares (Reads). Null, the whole entity, when a selected field resolver
 * declares nothing or the type is not an object type. Fields under @skip or @include count as selected
 * whatever the variables say: a column too many costs little, one too few would fail.
 */
export function selectedProperties(info: GraphQLResolveInfo, path: readonly string[] = []): PropertySelection | null {
  const first = info.fieldNodes[0];
  const pathKey = path.join('.');
  const known = remembered.get(first);
  const hit = known?.find((r) => r.path === pathKey && sameNodes(r.nodes, info.fieldNodes));
  if (hit) return hit.selection;
  const selection = work(info, path);
  if (known) known.push({ nodes: info.fieldNodes, path: pathKey, selection });
  else remembered.set(first, [{ nodes: info.fieldNodes, path: pathKey, selection }]);
  return selection;
}

function sameNodes(a: readonly FieldNode[], b: readonly FieldNode[]): boolean {
  return a.length === b.length && a.every((node, i) => node === b[i]);
}

function work(info: GraphQLResolveInfo, path: readonly string[]): PropertySelection | null {
  let type = getNamedType(info.returnType);
  let sets = info.fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  for (const step of path) {
    if (!(type instanceof GraphQLObjectType)) return null;
    const field = type.getFields()[step];
    if (!field) return null;
    sets = fieldsIn(sets, info).flatMap((node) => (node.name.value === step && node.selectionSet ? [node.selectionSet] : []));
    type = getNamedType(field.type);
  }
  if (!(type instanceof GraphQLObjectType)) return null;
  const reads = readsOf(info.schema, type.name);
  const properties = new Set<string>();
  for (const node of fieldsIn(sets, info)) {
    const name = node.name.value;
    if (name.startsWith('__')) continue;
    const read = reads?.get(name);
    if (read === null) return null;
    for (const property of read ?? [name]) properties.add(property);
  }
  const list = [...properties].sort();
  return { key: list.join(','), properties: list };
}

/** The field nodes of selection sets, through fragments. */
function fieldsIn(sets: readonly SelectionSetNode[], info: GraphQLResolveInfo): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) fields.push(s);
      else {
        const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : info.fragments[s.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  for (const set of sets) visit(set);
  return fields;
}
