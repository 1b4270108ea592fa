import type { ImageRow, ImageStore, LayerRow } from '../store/image-store.js';
import type { SubtreePlan } from './look-ahead.js';

/**
 * One request's known children lists and layer chains. A nested children
 * selection fetches its whole subtree (and the layers it selects) at the top
 * level in one query each; the levels below then read from here.
 */
export class TreeCache {
  readonly #children = new Map<string, ImageRow[]>();
  readonly #layers = new Map<string, LayerRow[]>();

  constructor(private readonly store: ImageStore) {}

  /** The children of these images, ordered by ID, as one flat list. */
  async childrenOf(ids: readonly string[], plan: SubtreePlan): Promise<ImageRow[]> {
    const unknown = ids.filter((id) => !this.#children.has(id));
    if (unknown.length > 0 && plan.depth > 1) {
      await this.#prefetch(unknown, plan);
    } else if (unknown.length > 0) {
      for (const id of unknown) this.#children.set(id, []);
      for (const row of await this.store.children(unknown)) this.#children.get(row.parentId!)!.push(row);
    }
    return ids.flatMap((id) => this.#children.get(id)!);
  }

  /** The layer chain of each image, base first. */
  async layersOf(ids: readonly string[]): Promise<LayerRow[][]> {
    const unknown = ids.filter((id) => !this.#layers.has(id));
    if (unknown.length > 0) this.#remember(unknown, await this.store.layersOf(unknown));
    return ids.map((id) => this.#layers.get(id)!);
  }

  async #prefetch(rootIds: readonly string[], plan: SubtreePlan): Promise<void> {
    const rows = await this.store.subtree(rootIds, plan.depth, plan.layers);
    // The roots and every image above the last level have all their children in rows.
    for (const id of rootIds) this.#children.set(id, []);
    for (const row of rows) if (row.depth < plan.depth) this.#children.set(row.id, []);
    for (const { layers, ...row } of rows) {
      this.#children.get(row.parentId!)!.push(row);
      if (layers) this.#layers.set(row.id, layers);
    }
  }

  #remember(ids: readonly string[], chains: LayerRow[][]): void {
    ids.forEach((id, i) => this.#layers.set(id, chains[i]!));
  }
}
