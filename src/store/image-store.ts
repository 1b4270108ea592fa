import type { Reference } from '../domain/reference.js';
import * as events from './event-log.js';
import * as imports from './image-import.js';
import * as lists from './image-list.js';
import { resolveImage } from './image-lookup.js';
import * as images from './image-reads.js';
import * as removal from './image-removal.js';
import * as writes from './image-writes.js';
import * as layers from './layer-reads.js';
import type { Sql } from './pool.js';
import * as references from './reference-reads.js';
import * as tags from './reference-writes.js';
import type { ImageRow, LayerRow } from './rows.js';
import { statisticsKeeper } from './statistics.js';

export type {
  EventCursor,
  EventFilter,
  EventRow,
  EventType,
  EventWindow,
} from './event-log.js';
export type { Imported, ImportImage } from './image-import.js';
export type {
  ImageFilter,
  ImageOrder,
  ListedImage,
  ListPosition,
  PageWindow,
} from './image-list.js';
export type {
  BelowRow,
  DescendantCursor,
  DescendantRow,
  Extras,
  ImageWithExtras,
  SubtreeRow,
  TreeEdge,
} from './image-reads.js';
export type { PruneFilter, Removed } from './image-removal.js';
export type { Created, NewImage } from './image-writes.js';
export type { ReferenceRow, ReferenceWindow, ReferenceWithImage } from './reference-reads.js';
export type { NewTag, Tagged } from './reference-writes.js';
export type { ImageRow, LayerRow } from './rows.js';

/** How the store walks trees. */
export interface StoreOptions {
  /** The most levels a walk up or down a tree goes: a depth cap and a cycle guard. */
  maxTreeDepth: number;
}

/** Docker's cap on layer chains, used for image chains too. */
export const DEFAULT_MAX_TREE_DEPTH = 125;

/**
 * Docker's image.Store and reference store over Postgres. Batch reads take
 * many keys at once and answer per key, in the keys' order, so that request
 * loaders can batch them.
 */
export interface ImageStore {
  readonly options: StoreOptions;
  create(rawConfig: string, parent?: string | null): Promise<writes.Created>;
  createMany(images: readonly writes.NewImage[]): Promise<writes.Created[]>;
  /** A bulk import: images with parents (in any order) and names, in one transaction. */
  import(batch: readonly imports.ImportImage[]): Promise<imports.Imported>;
  delete(id: string, options?: { pruneParents?: boolean }): Promise<removal.Removed>;
  prune(filter: removal.PruneFilter): Promise<removal.Removed>;
  setParent(id: string, parent: string | null): Promise<ImageRow>;
  /**
   * Get and Search: the image a reference, full ID or prefix names, or null; with extras when
   * asked.
   */
  find(id: string, extras?: images.Extras): Promise<images.ImageWithExtras | null>;
  /** The full ID of the image a reference, full ID or prefix names; NOT_FOUND when none. */
  resolve(asked: string): Promise<string>;
  findLayer(chainId: string): Promise<LayerRow | null>;

  tag(image: string, reference: Reference): Promise<tags.Tagged>;
  /** Many tags in one transaction, by full image ID; for bulk loads. */
  tagMany(tags: readonly tags.NewTag[]): Promise<void>;
  untag(asked: string, reference: Reference): Promise<{ reference: string; image: ImageRow }>;
  /** A reference by normalized name, with its image (and the extras asked for) in one read. */
  findReference(
    name: string,
    extras?: images.Extras,
  ): Promise<references.ReferenceWithImage | null>;
  referencesOf(imageIds: readonly string[]): Promise<references.ReferenceRow[][]>;
  referencePage(window: references.ReferenceWindow): Promise<references.ReferenceRow[]>;
  countReferences(repository: string | null): Promise<number>;

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
  /** A page of the image list, filtered and ordered, with configs and layers when asked. */
  page(
    filter: lists.ImageFilter,
    order: lists.ImageOrder,
    window: lists.PageWindow,
    extras?: images.Extras,
  ): Promise<lists.ListedImage[]>;
  count(filter: lists.ImageFilter): Promise<number>;

  layers(chainIds: readonly string[]): Promise<LayerRow[]>;
  /** Each image's layer chain; null for an image not stored. */
  layersOf(imageIds: readonly string[]): Promise<(LayerRow[] | null)[]>;
  imagesWithLayers(chainIds: readonly string[]): Promise<ImageRow[][]>;
  /** How many images hold each layer. */
  imageCounts(chainIds: readonly string[]): Promise<number[]>;
  /** Each layer's children (the layers on top of it), ordered by chain ID. */
  layerChildren(chainIds: readonly string[]): Promise<LayerRow[][]>;

  /** A page of the event log's settled part (events no transaction in flight can precede). */
  eventPage(window: events.EventWindow): Promise<events.EventRow[]>;
  countEvents(filter: events.EventFilter): Promise<number>;
  /** Where to read from to get the events from a time on. */
  eventCursorBefore(time: Date): Promise<events.EventCursor>;
  /** The last event retention removed, with its time; null when it removed none. */
  eventsRemovedThrough(): Promise<(events.EventCursor & { time: Date }) | null>;
}

/** The store over one connection pool. */
export function createImageStore(
  sql: Sql,
  options: StoreOptions = { maxTreeDepth: DEFAULT_MAX_TREE_DEPTH },
): ImageStore {
  // Bulk writes grow the tables faster than autovacuum analyzes them.
  const statistics = statisticsKeeper(sql);
  return {
    options,
    create: (rawConfig, parent = null) => writes.createImage(sql, rawConfig, parent),
    createMany: async (batch) => {
      const created = await writes.createImages(sql, batch);
      await statistics.wrote(created.filter((result) => result.created).length);
      return created;
    },
    import: async (batch) => {
      const imported = await imports.importImages(sql, batch);
      await statistics.wrote(imported.created);
      return imported;
    },
    delete: (id, deleteOptions) => removal.deleteImage(sql, id, deleteOptions),
    prune: (filter) => removal.pruneImages(sql, filter),
    setParent: (id, parent) => writes.setParent(sql, id, parent),
    find: (id, extras) => images.findImage(sql, id, extras),
    resolve: (asked) => resolveImage(sql, asked),
    findLayer: (chainId) => layers.findLayer(sql, chainId),
    tag: (image, reference) => tags.tagImage(sql, image, reference),
    tagMany: (batch) => tags.tagImages(sql, batch),
    untag: (asked, reference) => tags.untagImage(sql, asked, reference),
    findReference: (name, extras) => references.findReference(sql, name, extras),
    referencesOf: (imageIds) => references.referencesOf(sql, imageIds),
    referencePage: (window) => references.referencePage(sql, window),
    countReferences: (repository) => references.countReferences(sql, repository),
    images: (ids) => images.imagesByIds(sql, ids),
    below: (edge, upIds) => images.belowOf(sql, edge, upIds),
    subtree: (edge, rootIds, depth, extras) => images.subtreeOf(sql, edge, rootIds, depth, extras),
    descendants: (edge, id, page) => images.descendantsOf(sql, edge, id, page),
    countDescendants: (edge, id, maxDepth) => images.countDescendants(sql, edge, id, maxDepth),
    ancestors: (edge, ids) => images.ancestorsOf(sql, edge, ids, options.maxTreeDepth),
    configs: (ids) => images.configsOf(sql, ids),
    page: (filter, order, window, extras) => lists.imagePage(sql, filter, order, window, extras),
    count: (filter) => lists.countImages(sql, filter),
    layers: (chainIds) => layers.layersByChainIds(sql, chainIds),
    layersOf: (imageIds) => layers.layersOf(sql, imageIds),
    imagesWithLayers: (chainIds) => layers.imagesWithLayers(sql, chainIds),
    imageCounts: (chainIds) => layers.imageCounts(sql, chainIds),
    layerChildren: (chainIds) => layers.layerChildren(sql, chainIds),
    eventPage: (window) => events.eventPage(sql, window),
    countEvents: (filter) => events.countEvents(sql, filter),
    eventCursorBefore: (time) => events.cursorBefore(sql, time),
    eventsRemovedThrough: () => events.removedThrough(sql),
  };
}
