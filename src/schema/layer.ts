import type { LayerRow } from '../store/image-store.js';
import { builder } from './builder.js';
import { Image, Layer } from './object-refs.js';

Layer.implement({
  description: 'A layer of the layer store: a diff applied on top of its parent chain.',
  fields: (t) => ({
    chainId: t.exposeID('chainId', {
      description: 'Names this layer together with every layer below it.',
    }),
    diffId: t.exposeString('diffId', {
      description: "The digest of this layer's own uncompressed diff.",
    }),
    parent: t.field({
      type: Layer,
      nullable: true,
      description: 'The layer below this one; null for a base layer.',
      resolve: (layer) => layer.parentChainId,
    }),
    depth: t.exposeInt('depth', {
      description: 'Where the layer sits in its chain: 1 for a base layer.',
    }),
    children: t.loadableList({
      type: Layer,
      description: 'The layers on top of this one (whose parent this is), ordered by chain ID.',
      load: (chainIds: string[], context) => context.store.layerChildren(chainIds),
      resolve: (layer) => layer.chainId,
    }),
    images: t.loadableList({
      type: Image,
      description: 'Every image whose layer chain includes this layer, ordered by ID.',
      load: (chainIds: string[], context) => context.store.imagesWithLayers(chainIds),
      resolve: (layer) => layer.chainId,
    }),
    imageCount: t.loadable({
      type: 'Int',
      description: 'How many images hold this layer in their chain: how widely it is shared.',
      load: (chainIds: string[], context) => context.store.imageCounts(chainIds),
      resolve: (layer) => layer.chainId,
    }),
  }),
});

/** A layer named in a mutation's answer, such as one a delete released. */
export const LayerMetadata = builder.objectRef<LayerRow>('LayerMetadata').implement({
  description: 'The identity of a layer, kept after the layer itself is gone.',
  fields: (t) => ({
    chainId: t.exposeID('chainId'),
    diffId: t.exposeString('diffId'),
  }),
});

builder.queryField('layer', (t) =>
  t.field({
    type: Layer,
    nullable: true,
    description: 'The layer a chain ID, or a unique prefix of one, names.',
    args: { chainId: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => context.store.findLayer(args.chainId),
  }),
);
