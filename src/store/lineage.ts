import { historyOf } from '../domain/image-config.js';
import { historyChain } from '../domain/lineage.js';
import type { Queryable, Sql } from './pool.js';

// Lineage writers take these advisory locks, in this order: the whole forest
// (shared, or exclusive for an image without layers, which is a candidate
// base of every image), then one lock per first layer. Images with different
// first layers never share candidates, so they go on in parallel.
const FOREST_LOCK = 7_210_003;
const GROUP_LOCKS = 7_210_004;

/**
 * Takes the lineage locks for images with these first layers (null for an
 * image without layers). Send it before the statements whose reads of
 * lineage must see every write committed before them.
 */
export function lockLineage(sql: Queryable, firstLayers: readonly (string | null)[]) {
  if (firstLayers.includes(null)) return sql`select pg_advisory_xact_lock(${FOREST_LOCK})`;
  const groups = [...new Set(firstLayers as string[])].sort();
  return sql`
    select pg_advisory_xact_lock_shared(${FOREST_LOCK}),
      (select count(pg_advisory_xact_lock(${GROUP_LOCKS}, hashtext(g)))
       from (select g from unnest(${groups}::text[]) g order by g) groups)`;
}

/**
 * Takes the lineage locks of stored images, found by their IDs: for deletes,
 * which must hold them before they lock any image row (a rebase updates rows
 * other deletes may be locking: the lineage lock comes first for everyone).
 */
export function lockLineageOf(sql: Queryable, ids: readonly string[]) {
  return sql`
    select
      case when exists (
        select from images where id = any(${ids as string[]}::text[]) and chain_top is null
      )
      then pg_advisory_xact_lock(${FOREST_LOCK})::text
      else pg_advisory_xact_lock_shared(${FOREST_LOCK})::text end,
      (select count(pg_advisory_xact_lock(${GROUP_LOCKS}, hashtext(g)))
       from (
         select distinct chain_id as g from image_layers
         where image_id = any(${ids as string[]}::text[]) and position = 0 order by 1
       ) groups)`;
}

/**
 * Sets the base of new images, and of every stored image that one of them
 * may now be nearer to than its base (an image in between): the images whose
 * chain holds a new image's top layer at its depth and whose base is no
 * deeper. Gives each new image's base.
 */
export async function rebaseAfterCreate(
  sql: Queryable,
  newIds: readonly string[],
): Promise<Map<string, string | null>> {
  const rows = await sql<{ id: string; baseId: string | null }[]>`
    with affected as (
      select z.id from images z where z.id = any(${newIds as string[]}::text[])
      union
      select y.id from images z,
        lateral (
          select yl.image_id from image_layers yl
          where yl.chain_id = z.chain_top and yl.position = z.chain_length - 1
          offset 0
        ) yl
      join images y on y.id = yl.image_id
      left join images b on b.id = y.base_id
      where z.id = any(${newIds as string[]}::text[]) and coalesce(b.chain_length, 0) <= z.chain_length
      union
      select y.id from images z, images y
      left join images b on b.id = y.base_id
      where z.id = any(${newIds as string[]}::text[]) and z.chain_top is null
        and coalesce(b.chain_length, 0) = 0
    ),
    computed as (select id, lineage_base(id) as base_id from affected),
    changed as (
      update images i set base_id = c.base_id from computed c
      where i.id = c.id and i.base_id is distinct from c.base_id
    )
    select id, base_id as "baseId" from computed where id = any(${newIds as string[]}::text[])`;
  return new Map(rows.map((row) => [row.id, row.baseId]));
}

/** Gives images whose base was just deleted their next candidate. */
export async function rebase(sql: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update images set base_id = lineage_base(id)
    where id = any(${ids as string[]}::text[])`;
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
  await sql`update images set base_id = lineage_base(id)`;
}
