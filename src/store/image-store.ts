import type { Sql } from './database.js';
import { searchId } from './id-search.js';
import * as images from './image-reads.js';
import * as writes from './image-writes.js';
import * as layers from './layer-reads.js';
import type { ImageRow, LayerRow } from './rows.js';

export type { ImageRow, LayerRow } from './rows.js';
export type { PageWindow } from './image-reads.js';

/**
 * Docker's image.Store over Postgres. Batch reads take many keys at once and
 * answer per key, in the keys' order, so that request loaders can batch them.
 */
export interface ImageStore {
  create(rawConfig: string): Promise<{ image: ImageRow; created: boolean }>;
  delete(id: string): Promise<{ id: string; releasedLayers: LayerRow[] }>;
  setParent(id: string, parent: string | null): Promise<ImageRow>;
  /** Get and Search: the image a full ID or prefix names, or null. */
  find(id: string): Promise<ImageRow | null>;
  findLayer(chainId: string): Promise<LayerRow | null>;

  images(ids: readonly string[]): Promise<ImageRow[]>;
  children(parentIds: readonly string[]): Promise<ImageRow[]>;
  ancestors(ids: readonly string[]): Promise<ImageRow[][]>;
  configs(ids: readonly string[]): Promise<Map<string, string>>;
  page(window: images.PageWindow): Promise<ImageRow[]>;
  count(headsOnly: boolean): Promise<number>;

  layers(chainIds: readonly string[]): Promise<LayerRow[]>;
  layersOf(imageIds: readonly string[]): Promise<LayerRow[][]>;
  imagesWithLayers(chainIds: readonly string[]): Promise<ImageRow[][]>;
}

/** The store over one connection pool. */
export function createImageStore(sql: Sql): ImageStore {
  return {
    create: (rawConfig) => writes.createImage(sql, rawConfig),
    delete: (id) => writes.deleteImage(sql, id),
    setParent: (id, parent) => writes.setParent(sql, id, parent),
    async find(asked) {
      const id = await searchId(sql, 'image', asked);
      return id === null ? null : ((await images.imagesByIds(sql, [id]))[0] ?? null);
    },
    async findLayer(asked) {
      const chainId = await searchId(sql, 'layer', asked);
      return chainId === null ? null : ((await layers.layersByChainIds(sql, [chainId]))[0] ?? null);
    },
    images: (ids) => images.imagesByIds(sql, ids),
    children: (parentIds) => images.childrenOf(sql, parentIds),
    ancestors: (ids) => images.ancestorsOf(sql, ids),
    configs: (ids) => images.configsOf(sql, ids),
    page: (window) => images.imagePage(sql, window),
    count: (headsOnly) => images.countImages(sql, headsOnly),
    layers: (chainIds) => layers.layersByChainIds(sql, chainIds),
    layersOf: (imageIds) => layers.layersOf(sql, imageIds),
    imagesWithLayers: (chainIds) => layers.imagesWithLayers(sql, chainIds),
  };
}
