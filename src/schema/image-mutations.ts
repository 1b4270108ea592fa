import { PayloadTooLargeError } from '../domain/errors.js';
import { parseLabelFilters } from '../domain/label-filter.js';
import type { ImageRow, Removed } from '../store/image-store.js';
import { builder } from './builder.js';
import { LayerMetadata } from './layer.js';
import { Image } from './object-refs.js';

const CreateImagePayload = builder
  .objectRef<{ image: ImageRow; created: boolean }>('CreateImagePayload')
  .implement({
    fields: (t) => ({
      image: t.field({ type: Image, resolve: (payload) => payload.image }),
      created: t.exposeBoolean('created', {
        description:
          'False when an image with these exact bytes was already stored; nothing changed then.',
      }),
    }),
  });

const DeleteImagePayload = builder.objectRef<Removed>('DeleteImagePayload').implement({
  fields: (t) => ({
    deletedImageId: t.id({
      description: 'The image asked for.',
      resolve: (payload) => payload.deleted[0]!,
    }),
    deleted: t.idList({
      description:
        'Every image removed: the one asked for, then the parents pruned with it, upwards.',
      resolve: (payload) => payload.deleted,
    }),
    untagged: t.stringList({
      description: 'The references the removed images had, as `docker images` shows them.',
      resolve: (payload) => payload.untagged,
    }),
    releasedLayers: t.field({
      type: [LayerMetadata],
      description:
        'The layers no remaining image references, now removed: for each removed image in ' +
        'turn, top layer first.',
      resolve: (payload) => payload.releasedLayers,
    }),
  }),
});

const PruneImagesPayload = builder.objectRef<Removed>('PruneImagesPayload').implement({
  fields: (t) => ({
    deleted: t.idList({ resolve: (payload) => payload.deleted }),
    releasedLayers: t.field({
      type: [LayerMetadata],
      description: 'The layers no remaining image references, now removed, top layer first.',
      resolve: (payload) => payload.releasedLayers,
    }),
  }),
});

const SetParentPayload = builder.objectRef<{ image: ImageRow }>('SetParentPayload').implement({
  fields: (t) => ({
    image: t.field({ type: Image, resolve: (payload) => payload.image }),
  }),
});

builder.mutationFields((t) => ({
  createImage: t.field({
    type: CreateImagePayload,
    description:
      'Stores an image config under the digest of its exact bytes, with its layer chain.',
    args: {
      config: t.arg.string({
        required: true,
        description: 'The config JSON, exactly as its digest should be taken.',
      }),
      parent: t.arg.string({
        description:
          'The image this one was built on (an ID or a unique prefix). Applies only when the ' +
          'image is new.',
      }),
    },
    resolve: (_root, args, context) => {
      const bytes = Buffer.byteLength(args.config, 'utf8');
      if (bytes > context.limits.configBytes) {
        throw new PayloadTooLargeError(
          `the config is ${bytes} bytes; this server takes at most ${context.limits.configBytes}`,
        );
      }
      return context.store.create(args.config, args.parent ?? null);
    },
  }),
  deleteImage: t.field({
    type: DeleteImagePayload,
    description:
      'Deletes an image (an ID or a unique prefix) with its references; its children stay, ' +
      'without a parent.',
    args: {
      id: t.arg.string({ required: true }),
      pruneParents: t.arg.boolean({
        defaultValue: false,
        description:
          'As `docker rmi` does by default: then delete each parent left without references ' +
          'and children, up the chain.',
      }),
    },
    resolve: (_root, args, context) =>
      context.store.delete(args.id, { pruneParents: args.pruneParents ?? false }),
  }),
  pruneImages: t.field({
    type: PruneImagesPayload,
    description:
      'Deletes every dangling image (no references, no children) that the filters select, ' +
      'and the parents this leaves dangling, as `docker image prune` does.',
    args: {
      until: t.arg({ type: 'DateTime', description: 'Only images created before this time.' }),
      label: t.arg.stringList({
        description: '`key` or `key=value` against config.Labels; all must match.',
      }),
    },
    resolve: (_root, args, context) =>
      context.store.prune({
        until: args.until ?? null,
        label: parseLabelFilters(args.label ?? []),
      }),
  }),
  setParent: t.field({
    type: SetParentPayload,
    description: 'Makes one image the parent of another, or clears the parent with null.',
    args: { id: t.arg.string({ required: true }), parent: t.arg.string() },
    resolve: async (_root, args, context) => ({
      image: await context.store.setParent(args.id, args.parent ?? null),
    }),
  }),
}));
