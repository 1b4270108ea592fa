import { historyOf } from '../domain/image-config.js';
import { historyChain } from '../domain/lineage.js';
import type { Queryable, Sql } from './pool.js';
import { type ImageRow, imageColumns } from './rows.js';

// Lineage writers take these advisory locks, in this order: the whole forest
// (shared, or exclusive for an image without layers, which is a candidate
// base of every image), then one lock per first layer. Images with different
// first layers never share candidates, so they go on in parallel.
const FOREST_LOCK = 7_210_003;
const GROUP_LOCKS = 7_210_004;

/**
 * The select list that takes the lineage locks for images with these first
 * layers (null for an image without layers), to send in a statement before
 * those whose reads of lineage must see every write committed before them.
 */
export function lineageLocks(sql: Queryable, firstLayers: readonly (string | null)[]) {
  if (firstLayers.includes(null)) return sql`pg_advisory_xact_lock(${FOREST_LOCK})`;
  const groups = [...new Set(firstLayers as string[])].sort();
  return sql`
    pg_advisory_xact_lock_shared(${FOREST_LOCK}),
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
 * After an insert, which gave each new image its base among the images
 * stored before it: gives a nearer one to the new images that have a
 * candidate in the same batch, and to every stored image one of them may now
 * be nearer to than its base; then reads the named images back, in one
 * statement. Each is marked `isNew` when this transaction inserted it.
 *
 * The stored images a new image Z can come between: those that hold Z's
 * chain and whose base is a candidate of Z (an image whose chain is a prefix
 * of Z's, or equal: any nearer base of theirs would beat Z), found from those
 * candidates' derived images rather than from every image that holds Z's
 * layers (a base's whole family); images with no base and Z's chain; and,
 * only when no stored image holds a prefix of Z's chain (Z is a base that
 * came after its derived images), the images with no base that hold it.
 */
export function rebaseAfterCreate(sql: Queryable, ids: readonly string[]) {
  const named = ids as string[];
  return sql<(ImageRow & { isNew: boolean; rebased: boolean; newBaseId: string | null })[]>`
    with new as (
      select id, chain_top, chain_length, history_chain from images
      where id = any(${named}::text[]) and xmin = pg_current_xact_id()::xid
    ),
    -- Per new image, the images whose chain is a prefix of its own or equal
    -- (itself among them), and whether each was stored before this transaction.
    candidates as (
      select n.id as new_id, n.chain_top as new_top, n.chain_length as new_length,
        n.history_chain as new_history, c.*
      from new n,
        lateral (
          select c.*
          from image_layers zl,
            -- Fenced: an index probe per layer even when the statistics still
            -- describe the store before a bulk load (a hash join over every image).
            lateral (
              select c.id, c.chain_length, c.history_chain,
                c.xmin <> pg_current_xact_id()::xid as stored
              from images c
              where c.chain_top = zl.chain_id and c.chain_length = zl.position + 1
              offset 0
            ) c
          where zl.image_id = n.id
          union all
          select c.id, c.chain_length, c.history_chain, c.xmin <> pg_current_xact_id()::xid
          from images c where c.chain_top is null
          offset 0
        ) c
    ),
    -- Hashed apart from the candidates: a window over them sorted every
    -- candidate's history along (a tenth of a 1,000-image batch's rebase).
    nearest as (
      select new_id, max(chain_length) filter (where stored and chain_length < new_length)
        as nearest_length
      from candidates group by new_id
    ),
    candidate as (select * from candidates join nearest using (new_id)),
    first_of_chain as (
      select new_id as id, new_top as chain_top, new_length as chain_length
      from candidate group by 1, 2, 3 having not bool_or(stored)
    ),
    affected as (
      -- A new image whose insert could not see a candidate of this batch.
      select new_id as id from candidate where not stored and id <> new_id
      union
      -- A stored image that holds a new image's chain has as its base one of
      -- the new image's stored candidates, and not one shorter than the
      -- longest of them shorter than the new image (that one would be nearer).
      -- The new image beats a shorter base; one of equal chain, when the new
      -- image's history is a prefix of the stored image's, or the base's is not.
      select y.id
      from candidate c,
        lateral (
          select y.id from images y
          where y.base_id = c.id
            and exists (
              select from image_layers yl
              where yl.image_id = y.id and yl.position = c.new_length - 1
                and yl.chain_id = c.new_top
            )
            and (c.chain_length < c.new_length
                 or history_is_prefix(c.new_history, y.history_chain)
                 or not history_is_prefix(c.history_chain, y.history_chain))
          offset 0
        ) y
      where c.stored and c.chain_length >= coalesce(c.nearest_length, 0)
      union
      select y.id
      from new n,
        lateral (
          select y.id from images y
          where y.chain_top = n.chain_top and y.chain_length = n.chain_length and y.base_id is null
            and y.id <> n.id
          offset 0
        ) y
      union
      select y.id
      from first_of_chain n,
        lateral (
          select y.id from image_layers yl, images y
          where yl.chain_id = n.chain_top and yl.position = n.chain_length - 1
            and y.id = yl.image_id and y.base_id is null and y.id <> n.id
          offset 0
        ) y
      union
      select y.id from new n, images y
        left join images b on b.id = y.base_id
      where n.chain_top is null and coalesce(b.chain_length, 0) = 0
    ),
    computed as (
      select a.id, b.base_id from affected a left join lateral lineage_base(a.id) b on true
    ),
    changed as (
      update images i set base_id = c.base_id from computed c
      where i.id = c.id and i.base_id is distinct from c.base_id
    )
    -- The rows as this statement found them, with the bases it set.
    select ${imageColumns(sql)}, i.xmin = pg_current_xact_id()::xid as "isNew",
      c.id is not null as "rebased", c.base_id as "newBaseId"
    from images i left join computed c on c.id = i.id
    where i.id = any(${named}::text[])`.then((rows) =>
    rows.map(({ rebased, newBaseId, ...row }) => ({
      ...row,
      baseId: rebased ? newBaseId : row.baseId,
    })),
  );
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
