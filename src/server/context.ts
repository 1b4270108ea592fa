import DataLoader from 'dataloader';
import type { Limits } from '../config.js';
import { NotFoundError } from '../domain/errors.js';
import { TreeCache } from '../schema/tree-cache.js';
import type { ImageStore, ReferenceRow } from '../store/image-store.js';

/** What every resolver of one request sees. */
export interface Context {
  store: ImageStore;
  /** Configs of this request's images, fetched in one batch. */
  configs: DataLoader<string, StoredConfig>;
  /** Children lists and layer chains fetched ahead for nested tree selections. */
  tree: TreeCache;
  /** Each image's references, fetched in one batch for all the name fields that read them. */
  references: DataLoader<string, ReferenceRow[]>;
  /** Each image's lineage root (the top of its bases), by ID. */
  lineageRoots: DataLoader<string, string>;
  limits: Limits;
}

/** A fresh context per request, so loaders never serve one request's rows to another. */
export function createContext(store: ImageStore, limits: Limits): Context {
  const configs = new DataLoader<string, StoredConfig>(async (ids) => {
    const texts = await store.configs(ids);
    return ids.map((id) => {
      const raw = texts.get(id);
      // Deleted since this request read its row.
      return raw === undefined ? new NotFoundError('image', id) : new StoredConfig(raw);
    });
  });
  const tree = new TreeCache(store, (id, raw) => configs.prime(id, new StoredConfig(raw)));
  const references = new DataLoader<string, ReferenceRow[]>((ids) => store.referencesOf(ids));
  const lineageRoots = new DataLoader<string, string>(async (ids) =>
    (await store.ancestors('base', ids)).map((bases, i) => bases.at(-1)?.id ?? ids[i]!),
  );
  return { store, tree, limits, configs, references, lineageRoots };
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
