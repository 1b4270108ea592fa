import { NotFoundError } from '../domain/errors.js';
import type { ImageRow, ImageStore, ImageWithExtras, LayerRow } from '../store/image-store.js';
import type { SubtreePlan } from './look-ahead.js';

/**
 * One request's known children lists and layer chains. A nested children
 * selection fetches its whole subtree (with the layers and configs it selects)
 * at the top level in one query; the levels below then read from here.
 */
export class TreeCache {
  readonly #children = new Map<string, ImageRow[]>();
  readonly #layers = new Map<string, LayerRow[]>();

  /** primeConfig hands config texts read with their images to the request's config loader. */
  constructor(
    private readonly store: ImageStore,
    private readonly primeConfig: (id: string, rawConfig: string) => void,
  ) {}

  /** Keeps what was read with an image (its config, its layers) and gives the image itself. */
  remember<T extends ImageWithExtras>({ rawConfig, layers, ...image }: T): Omit<T, 'rawConfig' | 'layers'> {
    if (rawConfig !== undefined) this.primeConfig(image.id, rawConfig);
    if (layers !== undefined) this.#layers.set(image.id, layers);
    return image;
  }

  /** The children of these images, ordered by ID, as one flat list. */
  async childrenOf(ids: readonly string[], plan: SubtreePlan): Promise<ImageRow[]> {
    const unknown = ids.filter((id) => !this.#children.has(id));
    // Children with their layers or configs come in one statement too, so
    // that a delete in between cannot leave a child without them.
    if (unknown.length > 0 && (plan.depth > 1 || plan.layers || plan.config)) {
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
      unknown.forEach((id, i) => chains[i] && this.#layers.set(id, chains[i]));
    }
    return ids.map((id) => this.#layers.get(id) ?? new NotFoundError('image', id));
  }

  async #prefetch(rootIds: readonly string[], plan: SubtreePlan): Promise<void> {
    const rows = await this.store.subtree(rootIds, plan.depth, plan);
    // The roots and every image above the last level have all their children in rows.
    for (const id of rootIds) this.#children.set(id, []);
    for (const row of rows) if (row.depth < plan.depth) this.#children.set(row.id, []);
    for (const row of rows) this.#children.get(row.parentId!)!.push(this.remember(row));
  }
}
