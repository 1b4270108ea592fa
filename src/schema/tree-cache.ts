import { NotFoundError } from '../domain/errors.js';
import type {
  BelowRow,
  ImageRow,
  ImageStore,
  ImageWithExtras,
  LayerRow,
  TreeEdge,
} from '../store/image-store.js';
import type { SubtreePlan } from './look-ahead.js';

/**
 * One request's known lists of images below others (one map per tree edge)
 * and layer chains. A nested tree selection fetches its whole subtree (with
 * the layers and configs it selects) at the top level in one query; the
 * levels below then read from here.
 */
export class TreeCache {
  readonly #below = new Map<TreeEdge, Map<string, BelowRow[]>>();
  readonly #layers = new Map<string, LayerRow[]>();

  /**
   * primeConfig hands config texts read with their images to the request's
   * config loader, and primeImage rows read with others to its image loader.
   */
  constructor(
    private readonly store: ImageStore,
    private readonly primeConfig: (id: string, rawConfig: string) => void,
    private readonly primeImage: (row: ImageRow) => void,
  ) {}

  /**
   * Keeps what was read with an image (its config, its layers, its parent's and
   * children's rows) and gives the image itself, as it came: a copy of each row
   * without them cost more than they do where they are.
   */
  remember<T extends ImageWithExtras>(image: T): T {
    const { rawConfig, layers, parentRow, childRows } = image;
    if (rawConfig !== undefined) this.primeConfig(image.id, rawConfig);
    if (layers !== undefined) this.#layers.set(image.id, layers);
    if (parentRow) this.primeImage(parentRow);
    if (childRows !== undefined) {
      this.#edge('parent').set(
        image.id,
        childRows.map((row) => ({ ...row, upId: image.id })),
      );
    }
    return image;
  }

  /** The images one step below these along the edge, ordered by ID, as one flat list. */
  async below(edge: TreeEdge, ids: readonly string[], plan: SubtreePlan): Promise<BelowRow[]> {
    const known = this.#edge(edge);
    const unknown = ids.filter((id) => !known.has(id));
    // Images below with their layers or configs come in one statement too, so
    // that a delete in between cannot leave one without them.
    if (unknown.length > 0 && (plan.depth > 1 || plan.layers || plan.config)) {
      await this.#prefetch(edge, unknown, plan);
    } else if (unknown.length > 0) {
      for (const id of unknown) known.set(id, []);
      for (const row of await this.store.below(edge, unknown)) known.get(row.upId)!.push(row);
    }
    return ids.flatMap((id) => known.get(id)!);
  }

  /**
   * The layer chain of each image, base first; NOT_FOUND for one deleted since this request read
   * it.
   */
  async layersOf(ids: readonly string[]): Promise<(LayerRow[] | Error)[]> {
    const unknown = ids.filter((id) => !this.#layers.has(id));
    if (unknown.length > 0) {
      const chains = await this.store.layersOf(unknown);
      unknown.forEach((id, i) => {
        if (chains[i]) this.#layers.set(id, chains[i]);
      });
    }
    return ids.map((id) => this.#layers.get(id) ?? new NotFoundError('image', id));
  }

  #edge(edge: TreeEdge): Map<string, BelowRow[]> {
    let known = this.#below.get(edge);
    if (!known) {
      known = new Map();
      this.#below.set(edge, known);
    }
    return known;
  }

  async #prefetch(edge: TreeEdge, rootIds: readonly string[], plan: SubtreePlan): Promise<void> {
    const known = this.#edge(edge);
    const rows = await this.store.subtree(edge, rootIds, plan.depth, plan);
    // The roots and every image above the last level have all their images below in rows.
    for (const id of rootIds) known.set(id, []);
    for (const row of rows) if (row.depth < plan.depth) known.set(row.id, []);
    for (const row of rows) known.get(row.upId)!.push(this.remember(row));
  }
}
