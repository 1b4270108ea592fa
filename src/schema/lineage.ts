import { builder } from './builder.js';
import { edgeFields } from './image-tree.js';
import { Image } from './object-refs.js';

// Lineage: the tree the configs themselves imply, for images without parent
// links (pulled, imported, built by BuildKit). src/domain/lineage.ts has the rule.
builder.objectFields(Image, (t) => ({
  base: t.field({
    type: Image,
    nullable: true,
    description:
      'The nearest image this one was built on, read from the configs: its layer chain and ' +
      "history start with the base's. Null for a lineage root.",
    resolve: (image) => image.baseId,
  }),
  ...edgeFields(t, {
    edge: 'base',
    below: 'derived',
    ancestors: 'bases',
    descendants: 'derivedDescendants',
    describe: {
      below: 'The images whose base this is, ordered by ID.',
      ancestors:
        'The base, its base, and so on up to the lineage root (at most the tree depth cap).',
      descendants: 'Every image built on this one, breadth-first: by depth, then by ID.',
    },
  }),
  lineageRoot: t.field({
    type: Image,
    description: 'The top of the bases: the image itself when it has no base.',
    resolve: async (image, _args, context) =>
      image.baseId === null ? image.id : context.lineageRoots.load(image.id),
  }),
}));
