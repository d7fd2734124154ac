import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { PageRequest } from '../services/common/pagination';
import { selectedProperties } from './selected-fields';

/**
 * A connection field's arguments as a PageRequest: withTotal when the operation selects totalCount on
 * it (directly, through fragments, not skipped), so the list counts in the page's statement (a false
 * answer costs nothing but that: totalCount read all the same is counted on its own), and the
 * properties the operation reads of the nodes, so the page reads those columns only.
 */
export function pageRequest(first: number | null | undefined, after: string | null | undefined, info: GraphQLResolveInfo): PageRequest {
  return {
    first,
    after,
    withTotal: info.fieldNodes.some((node) => !!node.selectionSet && selects(node.selectionSet, 'totalCount', info)),
    select: selectedProperties(info, ['edges', 'node']),
  };
}

function selects(set: SelectionSetNode, field: string, info: GraphQLResolveInfo): boolean {
  return set.selections.some((s) => {
    if (!included(s, info)) return false;
    if (s.kind === Kind.FIELD) return s.name.value === field;
    const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : info.fragments[s.name.value];
    return !!fragment && selects(fragment.selectionSet, field, info);
  });
}

function included(node: SelectionSetNode['selections'][number], info: GraphQLResolveInfo): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
}
