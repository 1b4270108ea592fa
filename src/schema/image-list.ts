import { type ResolveCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import { parseLabelFilters } from '../domain/label-filter.js';
import { patternToRegex } from '../domain/name-pattern.js';
import type { Context } from '../server/context.js';
import type { ListedImage, ImageFilter as StoreFilter } from '../store/image-store.js';
import { builder } from './builder.js';
import { extrasSelected } from './look-ahead.js';
import { Image } from './object-refs.js';
import { listCursor, pageComplexity, pageSize, parseListCursor } from './paging.js';

const ImageOrder = builder.enumType('ImageOrder', {
  description: 'How `images` orders its list. Creation-time orders break ties by ID, the same way.',
  values: {
    ID: { description: 'By ID: the default.' },
    CREATED_DESC: {
      description: 'Newest first, as `docker images` lists (ties: higher ID first).',
    },
    CREATED_ASC: { description: 'Oldest first (ties: lower ID first).' },
  } as const,
});

const ImageFilter = builder.inputType('ImageFilter', {
  description:
    'What `images` lists, as `docker images --filter` selects: every filter given must hold.',
  fields: (t) => ({
    rootsOnly: t.boolean({
      description: 'Only the roots of the parent forest: images with no parent.',
    }),
    lineageRootsOnly: t.boolean({
      description: 'Only the roots of the lineage forest: images with no base.',
    }),
    dangling: t.boolean({
      description: 'Images with no references and no children (true), or the others (false).',
    }),
    reference: t.stringList({
      description:
        'Patterns on familiar names, `*` within a path component (Go path.Match): ubuntu:*, ' +
        '*/api:1.*. Any may match.',
    }),
    label: t.stringList({
      description: '`key` or `key=value` against config.Labels; all must match.',
    }),
    before: t.string({
      description: 'Images created before this one (an ID, prefix or reference).',
    }),
    since: t.string({ description: 'Images created after this one (an ID, prefix or reference).' }),
    os: t.string(),
    architecture: t.string(),
  }),
});

type FilterArgs = typeof ImageFilter.$inferInput;

/**
 * The store's filter for the arguments: patterns compiled, images named by before and since found.
 */
async function storeFilter(
  args: FilterArgs | null | undefined,
  headsOnly: boolean,
  context: Context,
) {
  const [beforeId, sinceId] = await Promise.all(
    [args?.before, args?.since].map((asked) =>
      asked == null ? null : context.store.resolve(asked),
    ),
  );
  const filter: StoreFilter = {
    headsOnly,
    rootsOnly: args?.rootsOnly ?? false,
    lineageRootsOnly: args?.lineageRootsOnly ?? false,
    dangling: args?.dangling ?? null,
    referencePatterns: args?.reference?.map(patternToRegex) ?? null,
    label: args?.label ? parseLabelFilters(args.label) : null,
    beforeId,
    sinceId,
    os: args?.os ?? null,
    architecture: args?.architecture ?? null,
  };
  return filter;
}

builder.queryField('images', (t) =>
  t.connection(
    {
      type: Image,
      description: 'The images the filter selects (every image by default), in the order asked.',
      complexity: pageComplexity,
      args: {
        headsOnly: t.arg.boolean({
          defaultValue: false,
          description: 'Only images without children.',
        }),
        filter: t.arg({ type: ImageFilter }),
        orderBy: t.arg({ type: ImageOrder, defaultValue: 'ID' }),
      },
      resolve: async (_root, args, context, info) => {
        const order = args.orderBy ?? 'ID';
        const byCreated = order !== 'ID';
        const after = parseListCursor(args.after, byCreated);
        const before = parseListCursor(args.before, byCreated);
        const filter = await storeFilter(args.filter, args.headsOnly ?? false, context);
        const extras = extrasSelected(info, ['edges', 'node']);
        const page = await resolveCursorConnection(
          { args, toCursor: (image: ListedImage) => listCursor(image), ...pageSize(args) },
          async ({ limit, inverted }: ResolveCursorConnectionArgs) => {
            const window = { after, before, limit, inverted };
            const rows = await context.store.page(filter, order, window, extras);
            return rows.map((row) => context.tree.remember(row));
          },
        );
        return { ...page, totalCount: () => context.store.count(filter) };
      },
    },
    { name: 'ImageConnection' },
    { name: 'ImageEdge' },
  ),
);
