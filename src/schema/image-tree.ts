import { type ResolveCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import { BadInputError } from '../domain/errors.js';
import type {
  BelowRow,
  DescendantRow,
  ImageRow,
  ImageWithExtras,
  TreeEdge,
} from '../store/image-store.js';
import { builder } from './builder.js';
import { planSubtree } from './look-ahead.js';
import { Image, Layer } from './object-refs.js';
import { descendantCursor, pageComplexity, pageSize, parseDescendantCursor } from './paging.js';

// What the cost estimate expects lists to hold: images have a few children,
// and chains (of layers or of parents) are rarely longer than a dozen.
const EXPECTED_BELOW = 4;
const EXPECTED_CHAIN = 12;

/**
 * A page of images below one, breadth-first, each edge with its depth: shared by every tree edge.
 */
const DescendantConnection = builder.connectionObject(
  { type: Image, name: 'DescendantConnection' },
  {
    name: 'DescendantEdge',
    fields: (edge) => ({
      depth: edge.int({
        description: 'How far below the image the node stands: 1 for a child.',
        resolve: (parent) => (parent.node as DescendantRow).depth,
      }),
    }),
  },
);

type ImageFieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<
  typeof builder.$inferSchemaTypes,
  ImageRow
>;

/** The names and words under which one tree edge's walks appear on Image. */
export interface EdgeFields {
  edge: TreeEdge;
  /** One step down (`children`), all the way up (`ancestors`), all the way down (`descendants`). */
  below: string;
  ancestors: string;
  descendants: string;
  describe: { below: string; ancestors: string; descendants: string };
}

/** The walks along one tree edge: a step down, the chain up, and pages of everything below. */
export function edgeFields(t: ImageFieldBuilder, names: EdgeFields) {
  const { edge } = names;
  return {
    [names.below]: t.loadableGroup({
      type: Image,
      description: names.describe.below,
      complexity: { field: 1, multiplier: EXPECTED_BELOW },
      // One loader per query path: each level's batch sees its own selection,
      // so the top level can fetch every level the query nests below it.
      byPath: true,
      load: (ids: string[], context, _args, info) =>
        context.tree.below(edge, ids, planSubtree(info, context.store.options.maxTreeDepth)),
      group: (row) => (row as BelowRow).upId,
      resolve: (image) => image.id,
    }),
    [names.ancestors]: t.loadableList({
      type: Image,
      description: names.describe.ancestors,
      complexity: { field: 1, multiplier: EXPECTED_CHAIN },
      load: (ids: string[], context) => context.store.ancestors(edge, ids),
      resolve: (image) => image.id,
    }),
    [names.descendants]: t.connection(
      {
        type: Image,
        description: names.describe.descendants,
        complexity: pageComplexity,
        args: {
          maxDepth: t.arg.int({
            description:
              'How many levels down to go; at most the tree depth cap, which is also the default.',
          }),
        },
        resolve: async (image, args, context) => {
          const cap = context.store.options.maxTreeDepth;
          const maxDepth = args.maxDepth ?? cap;
          if (maxDepth < 1 || maxDepth > cap) {
            throw new BadInputError(`maxDepth must be between 1 and ${cap}, got ${maxDepth}`);
          }
          if (args.last != null || args.before != null) {
            throw new BadInputError(`${names.descendants} pages forward only: use first and after`);
          }
          const after = parseDescendantCursor(args.after);
          const page = await resolveCursorConnection(
            { args, toCursor: (row: DescendantRow) => descendantCursor(row), ...pageSize(args) },
            ({ limit }: ResolveCursorConnectionArgs) =>
              context.store.descendants(edge, image.id, { maxDepth, after, limit }),
          );
          return {
            ...page,
            totalCount: () => context.store.countDescendants(edge, image.id, maxDepth),
          };
        },
      },
      DescendantConnection,
    ),
  };
}

builder.objectFields(Image, (t) => ({
  parent: t.field({
    type: Image,
    nullable: true,
    resolve: (image) => image.parentId,
  }),
  ...edgeFields(t, {
    edge: 'parent',
    below: 'children',
    ancestors: 'ancestors',
    descendants: 'descendants',
    describe: {
      below: 'The images whose parent this is, ordered by ID.',
      ancestors: 'The parent, its parent, and so on up to the root (at most the tree depth cap).',
      descendants: 'Every image below this one, breadth-first: by depth, then by ID.',
    },
  }),
  layers: t.field({
    type: [Layer],
    description: 'The layer chain, base layer first, as rootfs.diff_ids lists it.',
    complexity: { field: 1, multiplier: EXPECTED_CHAIN },
    // A row read with its layers answers at once: a loader promise for each
    // image of a page was a sixth of what a 100-image page allocated.
    resolve: (image, _args, context) =>
      (image as ImageWithExtras).layers ?? context.layers.load(image.id),
  }),
}));
