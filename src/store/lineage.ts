import { historyOf } from '../domain/image-config.js';
import { historyChain } from '../domain/lineage.js';
import type { Queryable, Sql } from './pool.js';

/**
 * Takes the lineage locks (lock_lineage, migrations/00008_store_images.sql) of
 * stored images, found by their IDs: for deletes, which must hold them before
 * they lock any image row.
 */
export function lockLineageOf(sql: Queryable, ids: readonly string[]) {
  return sql`
    select lock_lineage(array(
      select l.chain_id from images x
        left join image_layers l on l.image_id = x.id and l.position = 0
      where x.id = any(${ids as string[]}::text[])))`;
}

/** Gives images whose base was just deleted their next candidate. */
export async function rebase(sql: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update images i set base_id = b.base_id
    from unnest(${ids as string[]}::text[]) as r (id) left join lateral lineage_base(r.id) b on true
    where i.id = r.id`;
}

const BACKFILL_BATCH = 1000;

/**
 * Computes the history digests of images stored before lineage was kept,
 * then every base: run by migrate(), after the migration that added them.
 */
export async function backfillLineage(sql: Sql): Promise<void> {
  let filled = 0;
  for (;;) {
    const rows = await sql<{ id: string; rawConfig: string }[]>`
      select id, raw_config as "rawConfig" from images where history_chain is null
      order by id limit ${BACKFILL_BATCH}`;
    if (rows.length === 0) break;
    const chains = rows.map(
      (row) => `{${historyChain(historyOf(JSON.parse(row.rawConfig))).join(',')}}`,
    );
    await sql`
      update images i set history_chain = c.chain::text[]
      from unnest(${rows.map((row) => row.id)}::text[], ${chains}::text[]) as c (id, chain)
      where i.id = c.id`;
    filled += rows.length;
  }
  if (filled === 0) return;
  // The migration rewrote every row: without a vacuum, each candidate probe
  // would wade through the old versions' index entries.
  await sql`vacuum analyze images`;
  await sql`
    update images i set base_id = b.base_id
    from images y left join lateral lineage_base(y.id) b on true
    where i.id = y.id`;
}
