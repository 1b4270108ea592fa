import type { Sql } from './pool.js';
import * as images from './image-reads.js';
import * as writes from './image-writes.js';
import * as layers from './layer-reads.js';
import type { ImageRow, LayerRow } from './rows.js';

export type { ImageRow, LayerRow } from './rows.js';
export type {
  BelowRow,
  DescendantCursor,
  DescendantRow,
  Extras,
  ImageWithExtras,
  PageWindow,
  SubtreeRow,
  TreeEdge,
} from './image-reads.js';
export type { Created, NewImage } from './image-writes.js';

/** How the store walks trees. */
export interface StoreOptions {
  /** The most levels a walk up or down a tree goes: a depth cap and a cycle guard. */
  maxTreeDepth: number;
}

/** Docker's cap on layer chains, used for image chains too. */
export const DEFAULT_MAX_TREE_DEPTH = 125;

/**
 * Docker's image.Store over Postgres. Batch reads take many keys at once and
 * answer per key, in the keys' order, so that request loaders can batch them.
 */
export interface ImageStore {
  readonly options: StoreOptions;
  create(rawConfig: string, parent?: string | null): Promise<writes.Created>;
  createMany(images: readonly writes.NewImage[]): Promise<writes.Created[]>;
  delete(id: string): Promise<{ id: string; releasedLayers: LayerRow[] }>;
  setParent(id: string, parent: string | null): Promise<ImageRow>;
  /** Get and Search: the image a full ID or prefix names, or null; with its config and layers when asked. */
  find(id: string, extras?: images.Extras): Promise<images.ImageWithExtras | null>;
  findLayer(chainId: string): Promise<LayerRow | null>;

  images(ids: readonly string[]): Promise<ImageRow[]>;
  /** The images one step below any of these along the edge, ordered by ID. */
  below(edge: images.TreeEdge, upIds: readonly string[]): Promise<images.BelowRow[]>;
  subtree(
    edge: images.TreeEdge,
    rootIds: readonly string[],
    depth: number,
    extras: images.Extras,
  ): Promise<images.SubtreeRow[]>;
  descendants(
    edge: images.TreeEdge,
    id: string,
    page: { maxDepth: number; after: images.DescendantCursor | null; limit: number },
  ): Promise<images.DescendantRow[]>;
  countDescendants(edge: images.TreeEdge, id: string, maxDepth: number): Promise<number>;
  ancestors(edge: images.TreeEdge, ids: readonly string[]): Promise<ImageRow[][]>;
  configs(ids: readonly string[]): Promise<Map<string, string>>;
  /** A page of images, with their configs and layers when asked. */
  page(window: images.PageWindow, extras?: images.Extras): Promise<images.ImageWithExtras[]>;
  count(headsOnly: boolean): Promise<number>;

  layers(chainIds: readonly string[]): Promise<LayerRow[]>;
  /** Each image's layer chain; null for an image not stored. */
  layersOf(imageIds: readonly string[]): Promise<(LayerRow[] | null)[]>;
  imagesWithLayers(chainIds: readonly string[]): Promise<ImageRow[][]>;
}

/** The store over one connection pool. */
export function createImageStore(
  sql: Sql,
  options: StoreOptions = { maxTreeDepth: DEFAULT_MAX_TREE_DEPTH },
): ImageStore {
  return {
    options,
    create: (rawConfig, parent = null) => writes.createImage(sql, rawConfig, parent),
    createMany: (batch) => writes.createImages(sql, batch),
    delete: (id) => writes.deleteImage(sql, id),
    setParent: (id, parent) => writes.setParent(sql, id, parent),
    find: (id, extras) => images.findImage(sql, id, extras),
    findLayer: (chainId) => layers.findLayer(sql, chainId),
    images: (ids) => images.imagesByIds(sql, ids),
    below: (edge, upIds) => images.belowOf(sql, edge, upIds),
    subtree: (edge, rootIds, depth, extras) => images.subtreeOf(sql, edge, rootIds, depth, extras),
    descendants: (edge, id, page) => images.descendantsOf(sql, edge, id, page),
    countDescendants: (edge, id, maxDepth) => images.countDescendants(sql, edge, id, maxDepth),
    ancestors: (edge, ids) => images.ancestorsOf(sql, edge, ids, options.maxTreeDepth),
    configs: (ids) => images.configsOf(sql, ids),
    page: (window, extras) => images.imagePage(sql, window, extras),
    count: (headsOnly) => images.countImages(sql, headsOnly),
    layers: (chainIds) => layers.layersByChainIds(sql, chainIds),
    layersOf: (imageIds) => layers.layersOf(sql, imageIds),
    imagesWithLayers: (chainIds) => layers.imagesWithLayers(sql, chainIds),
  };
}
