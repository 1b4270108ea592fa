import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { builder } from './builder.js';
import { BadInputError } from '../domain/errors.js';
import type { DescendantRow, ImageRow } from '../store/image-store.js';
import { planSubtree } from './look-ahead.js';
import { descendantCursor, pageComplexity, pageSize, parseDescendantCursor } from './paging.js';
import { Image, Layer } from './object-refs.js';

// What the cost estimate expects lists to hold: images have a few children,
// and chains (of layers or of parents) are rarely longer than a dozen.
const EXPECTED_CHILDREN = 4;
const EXPECTED_CHAIN = 12;

builder.objectFields(Image, (t) => ({
  parent: t.field({
    type: Image,
    nullable: true,
    resolve: (image) => image.parentId,
  }),
  children: t.loadableGroup({
    type: Image,
    description: 'The images whose parent this is, ordered by ID.',
    complexity: { field: 1, multiplier: EXPECTED_CHILDREN },
    // One loader per query path: each level's batch sees its own selection,
    // so the top level can fetch every level the query nests below it.
    byPath: true,
    load: (ids: string[], context, _args, info) =>
      context.tree.childrenOf(ids, planSubtree(info, context.store.options.maxTreeDepth)),
    group: (child) => (child as ImageRow).parentId!,
    resolve: (image) => image.id,
  }),
  ancestors: t.loadableList({
    type: Image,
    description: 'The parent, its parent, and so on up to the root (at most the tree depth cap).',
    complexity: { field: 1, multiplier: EXPECTED_CHAIN },
    load: (ids: string[], context) => context.store.ancestors(ids),
    resolve: (image) => image.id,
  }),
  descendants: t.connection(
    {
      type: Image,
      description: 'Every image below this one, breadth-first: by depth, then by ID.',
      complexity: pageComplexity,
      args: {
        maxDepth: t.arg.int({ description: 'How many levels down to go; at most the tree depth cap, which is also the default.' }),
      },
      resolve: async (image, args, context) => {
        const cap = context.store.options.maxTreeDepth;
        const maxDepth = args.maxDepth ?? cap;
        if (maxDepth < 1 || maxDepth > cap) throw new BadInputError(`maxDepth must be between 1 and ${cap}, got ${maxDepth}`);
        if (args.last != null || args.before != null) throw new BadInputError('descendants pages forward only: use first and after');
        const after = parseDescendantCursor(args.after);
        const page = await resolveCursorConnection(
          { args, toCursor: (row: DescendantRow) => descendantCursor(row), ...pageSize(args) },
          ({ limit }: ResolveCursorConnectionArgs) => context.store.descendants(image.id, { maxDepth, after, limit }),
        );
        return { ...page, totalCount: () => context.store.countDescendants(image.id, maxDepth) };
      },
    },
    { name: 'DescendantConnection' },
    {
      name: 'DescendantEdge',
      fields: (edge) => ({
        depth: edge.int({
          description: 'How far below the image the node stands: 1 for a child.',
          resolve: (parent) => (parent.node as DescendantRow).depth,
        }),
      }),
    },
  ),
  layers: t.loadableList({
    type: Layer,
    description: 'The layer chain, base layer first, as rootfs.diff_ids lists it.',
    complexity: { field: 1, multiplier: EXPECTED_CHAIN },
    load: (ids: string[], context) => context.tree.layersOf(ids),
    resolve: (image) => image.id,
  }),
}));
