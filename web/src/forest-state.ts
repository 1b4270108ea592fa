import type { Client } from 'urql';
import { BELOW, type Mode, ROOTS, ROW, type TreeRow, treeRow } from './tree-data.ts';

/** The key of the forest's top level: its roots. */
export const ROOT = '';
const PAGE = 100;
const RELOAD_DELAY_MS = 200;

/** The images loaded so far one step below an image (or at the top). */
interface Level {
  ids: string[];
  seen: Set<string>;
  total: number;
  after: string | null;
  hasNext: boolean;
  loading: boolean;
}

/** One line of the forest as drawn: an image, or the place where more will load. */
export type Line =
  | { kind: 'image'; row: TreeRow; level: number; position: number; size: number; up: string }
  | { kind: 'more'; up: string; level: number; loaded: number; total: number };

/**
 * The forest's state, loaded level by level, a page at a time: what is
 * expanded, and the lines that shows. It calls `changed` after every change.
 */
export class ForestState {
  readonly rows = new Map<string, TreeRow>();
  readonly levels = new Map<string, Level>();
  readonly expanded = new Set<string>();
  readonly #pending = new Set<string>();
  error: string | null = null;

  constructor(
    private readonly client: Client,
    readonly mode: Mode,
    private readonly changed: () => void,
  ) {}

  /** Loads the next page of the images below `up` (ROOT for the roots). */
  async loadMore(up: string): Promise<void> {
    const level = this.levels.get(up) ?? this.#newLevel(up);
    if (level.loading || (level.ids.length > 0 && !level.hasNext)) return;
    level.loading = true;
    this.changed();
    const vars = { parentTree: this.mode === 'parent', after: level.after, first: PAGE };
    const page =
      up === ROOT
        ? await this.client
            .query(ROOTS, { ...vars, lineageTree: this.mode === 'lineage' })
            .toPromise()
        : await this.client.query(BELOW, { ...vars, id: up }).toPromise();
    level.loading = false;
    if (page.error || !page.data) {
      this.error = page.error?.message ?? 'no answer';
      this.changed();
      return;
    }
    const data = page.data;
    const connection =
      'images' in data ? data.images : (data.image?.descendants ?? data.image?.derivedDescendants);
    if (!connection) {
      // The image went while the page loaded.
      this.levels.delete(up);
      this.changed();
      return;
    }
    for (const { node } of connection.edges) {
      const row = treeRow(node);
      this.rows.set(row.id, row);
      if (!level.seen.has(row.id)) {
        level.seen.add(row.id);
        level.ids.push(row.id);
      }
    }
    level.total = connection.totalCount;
    level.after = connection.pageInfo.endCursor ?? level.after;
    level.hasNext = connection.pageInfo.hasNextPage;
    this.changed();
  }

  /** Opens or closes an image's level; the first open loads its first page. */
  toggle(id: string, open = !this.expanded.has(id)): void {
    if (open === this.expanded.has(id)) return;
    if (open) {
      this.expanded.add(id);
      if (!this.levels.has(id)) void this.loadMore(id);
    } else {
      this.expanded.delete(id);
    }
    this.changed();
  }

  /** The lines to draw, depth first, with the place of each in its level. */
  lines(): Line[] {
    const lines: Line[] = [];
    const walk = (up: string, depth: number) => {
      const level = this.levels.get(up);
      if (!level) return;
      level.ids.forEach((id, i) => {
        const row = this.rows.get(id);
        if (!row) return;
        lines.push({ kind: 'image', row, level: depth, position: i + 1, size: level.total, up });
        if (this.expanded.has(id)) walk(id, depth + 1);
      });
      if (level.hasNext || level.loading)
        lines.push({
          kind: 'more',
          up,
          level: depth,
          loaded: level.ids.length,
          total: level.total,
        });
    };
    walk(ROOT, 1);
    return lines;
  }

  /**
   * Loads a level again from its start, after images came into it; a burst of
   * events for one level makes one reload.
   */
  reload(up: string): void {
    if (!this.levels.has(up) || this.#pending.has(up)) return;
    this.#pending.add(up);
    setTimeout(() => {
      this.#pending.delete(up);
      void this.#reload(up);
    }, RELOAD_DELAY_MS);
  }

  async #reload(up: string): Promise<void> {
    if (!this.levels.has(up)) return;
    const shown = this.levels.get(up)!.ids.length;
    this.#newLevel(up);
    do await this.loadMore(up);
    while (this.levels.get(up)?.hasNext && this.levels.get(up)!.ids.length < shown);
  }

  /** Takes an image out of every level: after it was deleted or moved. */
  remove(id: string): void {
    for (const level of this.levels.values()) {
      const at = level.ids.indexOf(id);
      if (at < 0) continue;
      level.ids.splice(at, 1);
      level.seen.delete(id);
      level.total = Math.max(0, level.total - 1);
    }
    this.rows.delete(id);
    this.changed();
  }

  /** Reads one row again (its tags changed), if the forest shows it. */
  async refresh(id: string): Promise<void> {
    if (!this.rows.has(id)) return;
    const { data } = await this.client
      .query(ROW, { id, parentTree: this.mode === 'parent' }, { requestPolicy: 'network-only' })
      .toPromise();
    if (data?.image) this.rows.set(id, treeRow(data.image));
    this.changed();
  }

  #newLevel(up: string): Level {
    const level: Level = {
      ids: [],
      seen: new Set(),
      total: 0,
      after: null,
      hasNext: false,
      loading: false,
    };
    this.levels.set(up, level);
    return level;
  }
}
