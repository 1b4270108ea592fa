import type { ImageRow, LayerRow, ReferenceRow } from '../store/image-store.js';
import { builder } from './builder.js';

// Images and layers point at each other; their refs live apart from their
// fields so that each type file can import the other's ref.

/** An image, loaded by ID through the request's loader. */
export const Image = builder.loadableObjectRef('Image', {
  load: (ids: string[], context) => context.store.images(ids),
  toKey: (image: ImageRow) => image.id,
  sort: true,
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
