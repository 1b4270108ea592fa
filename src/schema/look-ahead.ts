import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  Kind,
  type SelectionNode,
} from 'graphql';
import type { Extras } from '../store/image-store.js';

/** The fields of an image that read its config text. */
const CONFIG_FIELDS: readonly string[] = ['config', 'rawConfig', 'history'];

/**
 * What a tree selection (`children { children { … } }`) will read below the images it is asked on.
 */
export interface SubtreePlan {
  /** How many levels the selection nests the same field, counting this one. */
  depth: number;
  /** Whether any image in those levels has its layers selected. */
  layers: boolean;
  /** Whether any image in those levels has its config selected. */
  config: boolean;
}

/** Reads the selections of the field being resolved nested under itself, as deep as they go. */
export function planSubtree(info: GraphQLResolveInfo, maxDepth: number): SubtreePlan {
  const plan = walk(
    info.fieldName,
    info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []),
    info.fragments,
  );
  return { ...plan, depth: Math.min(plan.depth, maxDepth) };
}

/**
 * Whether the selection on the field being resolved reads any of these
 * fields, directly or under the path of fields given (such as edges, node).
 */
export function selectsAny(
  info: GraphQLResolveInfo,
  names: readonly string[],
  path: readonly string[] = [],
): boolean {
  for (const field of fieldsAt(info, path)) if (names.includes(field.name.value)) return true;
  return false;
}

/** The fields selected at this path below the field being resolved. */
function fieldsAt(info: GraphQLResolveInfo, path: readonly string[]): Generator<FieldNode> {
  let selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
  for (const step of path) {
    selections = [...fieldsOf(selections, info.fragments, new Set())]
      .filter((field) => field.name.value === step)
      .flatMap((field) => field.selectionSet?.selections ?? []);
  }
  return fieldsOf(selections, info.fragments, new Set());
}

/**
 * What the selection (at this path below the field) reads of an image beyond
 * its row, to read with the row in the same statement: its config, its
 * layers, its parent's row, and its children's rows when that is all it reads
 * of them (a deeper children selection fetches its whole subtree instead).
 */
export function extrasSelected(info: GraphQLResolveInfo, path: readonly string[] = []): Extras {
  const fields = [...fieldsAt(info, path)];
  const named = (names: readonly string[]) => fields.some((f) => names.includes(f.name.value));
  const children = fields.filter((field) => field.name.value === 'children');
  return {
    config: named(CONFIG_FIELDS),
    layers: named(['layers']),
    parent: named(['parent']),
    children:
      children.length > 0 &&
      children.every((field) => {
        const below = walk('children', field.selectionSet?.selections ?? [], info.fragments);
        return below.depth === 1 && !below.layers && !below.config;
      }),
  };
}

function walk(
  edgeField: string,
  selections: readonly SelectionNode[],
  fragments: Record<string, FragmentDefinitionNode>,
): SubtreePlan {
  const plan = { depth: 1, layers: false, config: false };
  for (const field of fieldsOf(selections, fragments, new Set())) {
    if (field.name.value === 'layers') plan.layers = true;
    if (CONFIG_FIELDS.includes(field.name.value)) plan.config = true;
    if (field.name.value === edgeField && field.selectionSet) {
      const below = walk(edgeField, field.selectionSet.selections, fragments);
      plan.depth = Math.max(plan.depth, below.depth + 1);
      plan.layers ||= below.layers;
      plan.config ||= below.config;
    }
  }
  return plan;
}

/** The fields of a selection set, with fragments spread in. */
function* fieldsOf(
  selections: readonly SelectionNode[],
  fragments: Record<string, FragmentDefinitionNode>,
  spread: Set<string>,
): Generator<FieldNode> {
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      yield selection;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      yield* fieldsOf(selection.selectionSet.selections, fragments, spread);
    } else if (!spread.has(selection.name.value)) {
      spread.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment) yield* fieldsOf(fragment.selectionSet.selections, fragments, spread);
    }
  }
}
