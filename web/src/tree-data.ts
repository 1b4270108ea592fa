import { graphql, type ResultOf } from './graphql.ts';

/** Which tree the forest shows: parent links, or lineage read from the configs. */
export type Mode = 'parent' | 'lineage';

export const ROW_FIELDS = graphql(`
  fragment TreeRow on Image @_unmask {
    id
    shortId
    repoTags
    created
    layers { depth }
    descendants(first: 1) @include(if: $parentTree) { totalCount }
    derivedDescendants(first: 1) @skip(if: $parentTree) { totalCount }
  }
`);

export const ROOTS = graphql(
  `
  query Roots($parentTree: Boolean!, $lineageTree: Boolean!, $after: String, $first: Int!) {
    images(first: $first, after: $after,
        filter: { rootsOnly: $parentTree, lineageRootsOnly: $lineageTree }) {
      totalCount
      edges { node { ...TreeRow } }
      pageInfo { hasNextPage endCursor }
    }
  }
`,
  [ROW_FIELDS],
);

export const BELOW = graphql(
  `
  query Below($id: String!, $parentTree: Boolean!, $after: String, $first: Int!) {
    image(id: $id) {
      id
      descendants(maxDepth: 1, first: $first, after: $after) @include(if: $parentTree) {
        totalCount
        edges { node { ...TreeRow } }
        pageInfo { hasNextPage endCursor }
      }
      derivedDescendants(maxDepth: 1, first: $first, after: $after) @skip(if: $parentTree) {
        totalCount
        edges { node { ...TreeRow } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [ROW_FIELDS],
);

export const ROW = graphql(
  `
  query Row($id: String!, $parentTree: Boolean!) { image(id: $id) { ...TreeRow } }
`,
  [ROW_FIELDS],
);

/** An image as a row of the forest shows it. */
export interface TreeRow {
  id: string;
  shortId: string;
  tags: string[];
  created: string | null;
  layerCount: number;
  /** How many images the tree holds below this one. */
  below: number;
}

/** A row from what the server answered. */
export function treeRow(node: ResultOf<typeof ROW_FIELDS>): TreeRow {
  return {
    id: node.id,
    shortId: node.shortId,
    tags: node.repoTags,
    created: node.created,
    layerCount: node.layers.length,
    below: (node.descendants ?? node.derivedDescendants)?.totalCount ?? 0,
  };
}
