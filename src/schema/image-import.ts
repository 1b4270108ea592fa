import { PayloadTooLargeError } from '../domain/errors.js';
import { parseReference } from '../domain/reference.js';
import { IMPORT_BATCH_LIMIT, type Imported } from '../store/image-import.js';
import { builder } from './builder.js';
import { Image } from './object-refs.js';

const ImageImport = builder.inputType('ImageImport', {
  description: 'One image of a bulk import.',
  fields: (t) => ({
    config: t.string({
      required: true,
      description: 'The config JSON, exactly as its digest should be taken.',
    }),
    parent: t.string({
      description:
        'The full ID of the image this one was built on: one of the same call, in any order, ' +
        'or one already stored. Applies only when the image is new.',
    }),
    references: t.stringList({
      description: 'Names to point at the image, as `docker tag` takes them.',
    }),
  }),
});

const ImportImagesPayload = builder.objectRef<Imported>('ImportImagesPayload').implement({
  fields: (t) => ({
    created: t.exposeInt('created', { description: 'Images that were new.' }),
    existing: t.exposeInt('existing', {
      description: 'Images already stored with these exact bytes: they were left as they were.',
    }),
    images: t.field({
      type: [Image],
      description: 'Each image of the call, in the order given.',
      resolve: (payload) => payload.images,
    }),
  }),
});

builder.mutationField('importImages', (t) =>
  t.field({
    type: ImportImagesPayload,
    description:
      `Stores up to ${IMPORT_BATCH_LIMIT} images with their parents and names in one ` +
      'transaction: all of them, or none. Running it again creates nothing twice.',
    args: { images: t.arg({ type: [ImageImport], required: true }) },
    resolve: (_root, args, context) => {
      const batch = args.images.map((image, i) => {
        const bytes = Buffer.byteLength(image.config, 'utf8');
        if (bytes > context.limits.configBytes) {
          throw new PayloadTooLargeError(
            `images[${i}]: the config is ${bytes} bytes; this server takes at most ` +
              `${context.limits.configBytes}`,
          );
        }
        return {
          rawConfig: image.config,
          parentId: image.parent ?? null,
          references: (image.references ?? []).map(parseReference),
        };
      });
      return context.store.import(batch);
    },
  }),
);
