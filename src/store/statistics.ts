import type { Sql } from './pool.js';

// Below this many images written since the last analyze, plans cannot be far off.
const MIN_WRITTEN = 1000;

/**
 * Keeps the planner's statistics in step with bulk writes. Autovacuum
 * analyzes on its own schedule, which a bulk import outruns: its statements
 * then keep running on plans made for a store a fraction of the size (an
 * import into an empty store fell from 435 to 156 images/s by 70,000 images,
 * its rebase scanning where it should probe). Analyzes whenever the images
 * written since the last time at least match the store's size then, so a
 * store that grows from nothing is analyzed about log2(n) times.
 */
export function statisticsKeeper(sql: Sql) {
  let written = 0;
  let size: number | null = null;
  let running: Promise<void> | null = null;
  const refresh = async () => {
    await sql`analyze images, image_layers, layers, image_references`;
    const [row] = await sql<{ size: number }[]>`
      select greatest(reltuples, 0)::float8 as size from pg_class where oid = 'images'::regclass`;
    size = row!.size;
  };
  return {
    /** Notes that a bulk write stored this many images; analyzes when they add up. */
    async wrote(images: number): Promise<void> {
      written += images;
      if (running || written < Math.max(MIN_WRITTEN, size ?? 0)) return;
      written = 0;
      running = refresh().finally(() => {
        running = null;
      });
      await running;
    },
  };
}
