import { builder } from './builder.js';
import { PayloadTooLargeError } from '../domain/errors.js';
import type { ImageRow, LayerRow } from '../store/image-store.js';
import { LayerMetadata } from './layer.js';
import { Image } from './object-refs.js';

const CreateImagePayload = builder.objectRef<{ image: ImageRow; created: boolean }>('CreateImagePayload').implement({
  fields: (t) => ({
    image: t.field({ type: Image, resolve: (payload) => payload.image }),
    created: t.exposeBoolean('created', {
      description: 'False when an image with these exact bytes was already stored; nothing changed then.',
    }),
  }),
});

const DeleteImagePayload = builder
  .objectRef<{ id: string; releasedLayers: LayerRow[] }>('DeleteImagePayload')
  .implement({
    fields: (t) => ({
      deletedImageId: t.exposeID('id'),
      releasedLayers: t.field({
        type: [LayerMetadata],
        description: 'The layers no remaining image references, now removed: top layer first.',
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
    description: 'Stores an image config under the digest of its exact bytes, with its layer chain.',
    args: {
      config: t.arg.string({ required: true, description: 'The config JSON, exactly as its digest should be taken.' }),
      parent: t.arg.string({
        description: 'The image this one was built on (an ID or a unique prefix). Applies only when the image is new.',
      }),
    },
    resolve: (_root, args, context) => {
      const bytes = Buffer.byteLength(args.config, 'utf8');
      if (bytes > context.limits.configBytes) {
        throw new PayloadTooLargeError(`the config is ${bytes} bytes; this server takes at most ${context.limits.configBytes}`);
      }
      return context.store.create(args.config, args.parent ?? null);
    },
  }),
  deleteImage: t.field({
    type: DeleteImagePayload,
    description: 'Deletes an image; its children stay, without a parent.',
    args: { id: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => context.store.delete(args.id),
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
