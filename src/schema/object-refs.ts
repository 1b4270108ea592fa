import { NotFoundError } from '../domain/errors.js';
import type { ImageRow, LayerRow, ReferenceRow } from '../store/image-store.js';
import { builder } from './builder.js';

// Images and layers point at each other; their refs live apart from their
// fields so that each type file can import the other's ref.

/**
 * An image, loaded by ID through the request's loader. An ID that names no
 * image (deleted since this request read the link to it) is NOT_FOUND.
 */
export const Image = builder.loadableObjectRef('Image', {
  load: async (ids: string[], context) => {
    const rows = new Map((await context.store.images(ids)).map((row) => [row.id, row]));
    return ids.map((id) => rows.get(id) ?? new NotFoundError('image', id));
  },
  toKey: (image: ImageRow) => image.id,
  cacheResolved: true,
});

/** A layer of the layer store, loaded by chain ID through the request's loader. */
export const Layer = builder.loadableObjectRef('Layer', {
  load: (chainIds: string[], context) => context.store.layers(chainIds),
  toKey: (layer: LayerRow) => layer.chainId,
  sort: true,
});

/** A name in the reference store, pointing at an image. */
export const Reference = builder.objectRef<ReferenceRow>('Reference');
