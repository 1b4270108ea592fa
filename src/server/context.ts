import { contextCacheSymbol } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Limits } from '../config.js';
import { NotFoundError } from '../domain/errors.js';
import type { EventHub } from '../events/event-hub.js';
import { Image } from '../schema/object-refs.js';
import { TreeCache } from '../schema/tree-cache.js';
import type { ImageStore, LayerRow, ReferenceRow } from '../store/image-store.js';

/** What every resolver of one request sees. */
export interface Context {
  store: ImageStore;
  /** Configs of this request's images, fetched in one batch. */
  configs: DataLoader<string, StoredConfig>;
  /** Children lists and layer chains fetched ahead for nested tree selections. */
  tree: TreeCache;
  /** Layer chains of images whose rows came without them, in one batch. */
  layers: DataLoader<string, LayerRow[]>;
  /** Each image's references, fetched in one batch for all the name fields that read them. */
  references: DataLoader<string, ReferenceRow[]>;
  /** Each image's lineage root (the top of its bases), by ID. */
  lineageRoots: DataLoader<string, string>;
  limits: Limits;
  /** This process's fan-out of the event log, for subscriptions. */
  events: EventHub;
}

/** A fresh context per request, so loaders never serve one request's rows to another. */
export function createContext(store: ImageStore, limits: Limits, events: EventHub): Context {
  const context = { store, limits, events } as Context;
  freshLoaders(context);
  return context;
}

/**
 * Gives a context loaders that have read nothing yet: its own and those
 * Pothos keeps per context. A subscription keeps its context from event to
 * event, and each event must see the store as it is then.
 */
export function freshLoaders(context: Context): void {
  const { store } = context;
  const configs = new DataLoader<string, StoredConfig>(async (ids) => {
    const texts = await store.configs(ids);
    return ids.map((id) => {
      const raw = texts.get(id);
      // Deleted since this request read its row.
      return raw === undefined ? new NotFoundError('image', id) : new StoredConfig(raw);
    });
  });
  const tree = new TreeCache(
    store,
    (id, raw) => configs.prime(id, new StoredConfig(raw)),
    (row) => Image.getDataloader(context).prime(row.id, row),
  );
  const layers = new DataLoader<string, LayerRow[]>((ids) => tree.layersOf(ids));
  const references = new DataLoader<string, ReferenceRow[]>((ids) => store.referencesOf(ids));
  const lineageRoots = new DataLoader<string, string>(async (ids) =>
    (await store.ancestors('base', ids)).map((bases, i) => bases.at(-1)?.id ?? ids[i]!),
  );
  Object.assign(context, { tree, layers, configs, references, lineageRoots });
  (context as unknown as Record<symbol, object>)[contextCacheSymbol] = {};
}

/** A stored config text, parsed once however many fields read it. */
export class StoredConfig {
  #json: unknown;
  constructor(readonly raw: string) {}
  get json(): unknown {
    this.#json ??= JSON.parse(this.raw);
    return this.#json;
  }
}
