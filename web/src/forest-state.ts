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
  /** The last page failed: the next one loads when asked again, not by itself. */
  failed: boolean;
}

/** One line of the forest as drawn: an image, or the place where more will load. */
export type Line =
  | { kind: 'image'; row: TreeRow; level: number; position: number; size: number; up: string }
  | { kind: 'more'; up: string; level: number; loaded: number; total: number; failed: boolean };

/**
 * The forest's state, loaded level by level, a page at a time: what is
 * expanded, and the lines that shows. It calls `changed` after every change.
 */
export class ForestState {
  readonly rows = new Map<string, TreeRow>();
  readonly levels = new Map<string, Level>();
  readonly expanded = new Set<string>();
  error: string | null = null;
  /** Images deleted or moved away while pages were on their way: not to be put back by them. */
  readonly #gone = new Set<string>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The level each reload in flight is reading into. */
  readonly #reloading = new Map<string, Level>();

  constructor(
    private readonly client: Client,
    readonly mode: Mode,
    private readonly changed: () => void,
  ) {}

  /**
   * Loads the next page of the images below `up` (ROOT for the roots). After
   * a failure it loads only when `retry` is set: a failing server is not asked
   * again at every render.
   */
  async loadMore(up: string, retry = false): Promise<void> {
    const level = this.levels.get(up) ?? this.#newLevel(up);
    if (level.loading || (level.failed && !retry)) return;
    if (level.ids.length > 0 && !level.hasNext) return;
    level.loading = true;
    level.failed = false;
    this.changed();
    const ok = await this.#fill(up, level);
    level.loading = false;
    if (!ok && level.ids.length === 0 && up !== ROOT && this.levels.get(up) === level) {
      // A level that never loaded is dropped, so that opening it again tries again.
      this.levels.delete(up);
      this.expanded.delete(up);
    }
    this.changed();
  }

  /** Fetches the page after the level's last one into it; false when that failed. */
  async #fill(up: string, level: Level): Promise<boolean> {
    const vars = { parentTree: this.mode === 'parent', after: level.after, first: PAGE };
    const fresh = { requestPolicy: 'network-only' } as const;
    const page =
      up === ROOT
        ? await this.client
            .query(ROOTS, { ...vars, lineageTree: this.mode === 'lineage' }, fresh)
            .toPromise()
        : await this.client.query(BELOW, { ...vars, id: up }, fresh).toPromise();
    if (page.error || !page.data) {
      this.error = page.error?.message ?? 'no answer';
      level.failed = true;
      return false;
    }
    const data = page.data;
    const connection =
      'images' in data ? data.images : (data.image?.descendants ?? data.image?.derivedDescendants);
    // No connection: the image went while the page loaded; its DELETE event tidies up.
    if (!connection) return true;
    this.error = null;
    for (const { node } of connection.edges) {
      const row = treeRow(node);
      if (this.#gone.has(row.id) || level.seen.has(row.id)) continue;
      this.rows.set(row.id, row);
      level.seen.add(row.id);
      level.ids.push(row.id);
    }
    level.total = connection.totalCount;
    level.after = connection.pageInfo.endCursor ?? level.after;
    level.hasNext = connection.pageInfo.hasNextPage;
    return true;
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
          failed: level.failed,
        });
    };
    walk(ROOT, 1);
    return lines;
  }

  /** Where an image is shown: the key of the level that holds it, if any. */
  levelOf(id: string): string | null {
    for (const [up, level] of this.levels) if (level.seen.has(id)) return up;
    return null;
  }

  /**
   * Loads a level again from its start, after images came into it or left
   * it; a burst of events for one level makes one reload.
   */
  reload(up: string): void {
    if (!this.levels.has(up) || this.#timers.has(up)) return;
    this.#timers.set(
      up,
      setTimeout(() => {
        this.#timers.delete(up);
        void this.#reload(up);
      }, RELOAD_DELAY_MS),
    );
  }

  /**
   * Reads as many pages as were shown into a new level, and swaps it in only
   * when done: the lines on screen stay until then, and a newer reload of the
   * same level wins.
   */
  async #reload(up: string): Promise<void> {
    const old = this.levels.get(up);
    if (!old) return;
    const level = this.#emptyLevel();
    level.loading = true;
    this.#reloading.set(up, level);
    do {
      if (!(await this.#fill(up, level))) break;
    } while (level.hasNext && level.ids.length < old.ids.length);
    level.loading = false;
    if (this.#reloading.get(up) !== level || this.levels.get(up) !== old) return;
    this.#reloading.delete(up);
    if (!level.failed) this.levels.set(up, level);
    this.changed();
  }

  /** Takes an image out of every level: deleted (gone), or moved to another level. */
  remove(id: string, gone = true): void {
    if (gone) this.#gone.add(id);
    for (const level of this.levels.values()) {
      if (!level.seen.delete(id)) continue;
      level.ids.splice(level.ids.indexOf(id), 1);
      level.total = Math.max(0, level.total - 1);
    }
    this.rows.delete(id);
    this.levels.delete(id);
    this.expanded.delete(id);
    this.changed();
  }

  /** An image that came (back) into the store: pages may show it again. */
  arrived(id: string): void {
    this.#gone.delete(id);
  }

  /** Reads one row again (its tags or the count below it changed), if the forest shows it. */
  async refresh(id: string): Promise<void> {
    if (!this.rows.has(id)) return;
    const { data } = await this.client
      .query(ROW, { id, parentTree: this.mode === 'parent' }, { requestPolicy: 'network-only' })
      .toPromise();
    if (data?.image && this.rows.has(id)) this.rows.set(id, treeRow(data.image));
    this.changed();
  }

  /** Stops the reloads still waiting: the forest is no longer shown. */
  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #newLevel(up: string): Level {
    const level = this.#emptyLevel();
    this.levels.set(up, level);
    return level;
  }

  #emptyLevel(): Level {
    return {
      ids: [],
      seen: new Set(),
      total: 0,
      after: null,
      hasNext: false,
      loading: false,
      failed: false,
    };
  }
}
