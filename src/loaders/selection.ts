import { type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, Kind, type SelectionSetNode, getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective } from 'graphql';

/**
 * Which fields a resolver's result will be asked for, by name, a few levels down: `agents` uses it to start only the
 * upstream calls the document needs (prefetch.ts). Fragments are followed whatever their type condition (the types
 * below a connection are fixed), `@skip`/`@include` are honoured, and aliases count under their field's name.
 */
export interface Selected {
  /** Field name → the field nodes selecting it (several with aliases or fragments). */
  readonly fields: ReadonlyMap<string, readonly FieldNode[]>;
  /** The fields selected below `name` (merged over its nodes), following `path` from there. */
  below(...path: string[]): Selected;
  has(name: string): boolean;
}

export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>): Selected {
  return selectionOf(info.fieldNodes, info);
}

function selectionOf(nodes: readonly FieldNode[], info: Pick<GraphQLResolveInfo, 'fragments' | 'variableValues'>): Selected {
  const fields = new Map<string, FieldNode[]>();
  // An executor that gives no field nodes (a compiled one might not) reads as "nothing selected": no prefetch, and
  // the fields load on their own as before.
  for (const node of nodes ?? []) {
    if (node.selectionSet) collect(node.selectionSet, info.fragments ?? {}, info.variableValues ?? {}, fields, new Set());
  }
  return {
    fields,
    has: (name) => fields.has(name),
    below(...path) {
      let here: Selected = this;
      for (const name of path) here = selectionOf(here.fields.get(name) ?? [], info);
      return here;
    },
  };
}

function included(node: { directives?: readonly unknown[] | undefined }, variables: Record<string, unknown>): boolean {
  if (!node.directives || node.directives.length === 0) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node as FieldNode, variables);
  if (skip?.['if'] === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, variables);
  return include?.['if'] !== false;
}

function collect(
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  into: Map<string, FieldNode[]>,
  seen: Set<string>,
): void {
  for (const selection of set.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const list = into.get(name);
      if (list) list.push(selection);
      else into.set(name, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, fragments, variables, into, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      // A spread seen before adds nothing (and validation already refused cycles).
      if (!fragment || seen.has(name)) continue;
      seen.add(name);
      collect(fragment.selectionSet, fragments, variables, into, seen);
    }
  }
}
