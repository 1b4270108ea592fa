import { NotFoundError } from '../domain/errors.js';
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
    // Children with their layers come in one statement too, so that a delete
    // in between cannot leave a child without its chain.
    if (unknown.length > 0 && (plan.depth > 1 || plan.layers)) {
      await this.#prefetch(unknown, plan);
    } else if (unknown.length > 0) {
      for (const id of unknown) this.#children.set(id, []);
      for (const row of await this.store.children(unknown)) this.#children.get(row.parentId!)!.push(row);
    }
    return ids.flatMap((id) => this.#children.get(id)!);
  }

  /** The layer chain of each image, base first; NOT_FOUND for one deleted since this request read it. */
  async layersOf(ids: readonly string[]): Promise<(LayerRow[] | Error)[]> {
    const unknown = ids.filter((id) => !this.#layers.has(id));
    if (unknown.length > 0) {
      const chains = await this.store.layersOf(unknown);
      unknown.forEach((id, i) => chains[i] && this.primeLayers(id, chains[i]));
    }
    return ids.map((id) => this.#layers.get(id) ?? new NotFoundError('image', id));
  }

  /** Layer chains read with their images elsewhere. */
  primeLayers(id: string, layers: LayerRow[]): void {
    this.#layers.set(id, layers);
  }

  async #prefetch(rootIds: readonly string[], plan: SubtreePlan): Promise<void> {
    const rows = await this.store.subtree(rootIds, plan.depth, plan.layers);
    // The roots and every image above the last level have all their children in rows.
    for (const id of rootIds) this.#children.set(id, []);
    for (const row of rows) if (row.depth < plan.depth) this.#children.set(row.id, []);
    for (const { layers, ...row } of rows) {
      this.#children.get(row.parentId!)!.push(row);
      if (layers) this.primeLayers(row.id, layers);
    }
  }
}
