import { NotFoundError } from '../domain/errors.js';
import type { LabelFilter } from '../domain/label-filter.js';
import { type EventType, recordEvents } from './event-log.js';
import { resolveImageId } from './id-search.js';
import { filterClauses } from './image-list.js';
import { lockLineageOf, rebase } from './lineage.js';
import { type Queryable, type Sql, transaction } from './pool.js';
import { type LayerRow, layerColumns } from './rows.js';

/** What a delete or a prune removed: images in the order they went, their names, their layers. */
export interface Removed {
  deleted: string[];
  /** The references the deleted images had, in familiar form, sorted per image. */
  untagged: string[];
  /** The layers no remaining image references, now removed: each image's top layer first. */
  releasedLayers: LayerRow[];
}

/** What the time and label filters of a prune select among dangling images. */
export interface PruneFilter {
  until?: Date | null;
  label?: LabelFilter;
}

/**
 * Docker's Delete: removes an image, its references and the layers no other
 * image references. Its children are kept, without a parent. With
 * pruneParents (`docker rmi`'s default), each parent left without references
 * and children goes too, up the chain, in the same transaction.
 */
export function deleteImage(
  sql: Sql,
  asked: string,
  { pruneParents = false } = {},
): Promise<Removed> {
  return transaction(sql, async (tx) => {
    const id = await resolveImageId(tx, asked);
    const removed = await removeImages(tx, [id], { onlyDangling: false, event: 'DELETE' });
    // Another delete of the same image got there first.
    if (removed.deleted.length === 0) throw new NotFoundError('image', asked);
    return pruneParents ? removeDanglingParents(tx, removed, 'DELETE') : removed;
  });
}

/**
 * Docker's image prune: removes every dangling image (no references, no
 * children) that the filter selects, and then, as Docker does, each parent
 * that this leaves dangling, up the chain. One transaction.
 */
export function pruneImages(sql: Sql, filter: PruneFilter): Promise<Removed> {
  return transaction(sql, async (tx) => {
    const candidates = await tx<{ id: string }[]>`
      select i.id from images i
      where true ${filterClauses(tx, { dangling: true, label: filter.label ?? null })}
        ${filter.until ? tx`and i.created < ${filter.until}` : tx``}
      order by i.id`;
    const removed = await removeImages(
      tx,
      candidates.map((row) => row.id),
      { onlyDangling: true, event: 'PRUNE' },
    );
    return removeDanglingParents(tx, removed, 'PRUNE');
  });
}

/** Removes, level by level, the parents that the removed images leave dangling. */
async function removeDanglingParents(
  sql: Queryable,
  removed: Removed & { parents?: string[] },
  event: EventType,
): Promise<Removed> {
  const total: Removed = {
    deleted: [...removed.deleted],
    untagged: [...removed.untagged],
    releasedLayers: [...removed.releasedLayers],
  };
  let level = removed;
  while ((level.parents ?? []).length > 0) {
    level = await removeImages(sql, level.parents!, { onlyDangling: true, event });
    total.deleted.push(...level.deleted);
    total.untagged.push(...level.untagged);
    total.releasedLayers.push(...level.releasedLayers);
  }
  return total;
}

/**
 * Removes these images with their references, releasing the layers no other
 * image references. With onlyDangling, an image that has a reference or a
 * child by the time it is locked is kept. Records, per removed image, an
 * UNTAG event for each of its references and then one of type `event`. Also
 * gives the removed images' parents that were not removed with them.
 */
async function removeImages(
  sql: Queryable,
  ids: readonly string[],
  { onlyDangling, event }: { onlyDangling: boolean; event: EventType },
): Promise<Removed & { parents: string[] }> {
  if (ids.length === 0) return { deleted: [], untagged: [], releasedLayers: [], parents: [] };
  // Lineage first, then image rows, then layers: the order every writer takes them in.
  await lockLineageOf(sql, ids);
  if (onlyDangling) {
    // Taken first, so that the check below sees every tag and child committed
    // before it: new ones wait for these locks (a tag updates the image row, a
    // child's foreign key shares it).
    await sql`select from images where id = any(${ids as string[]}::text[]) order by id for update`;
  }
  const targets = await sql<
    { id: string; parentId: string | null; untagged: string[]; chain: string[] }[]
  >`
    with target as (
      select i.id, i.parent_id from images i
      where i.id = any(${ids as string[]}::text[])
        ${
          onlyDangling
            ? sql`and i.child_count = 0
                and not exists (select from image_references r where r.image_id = i.id)`
            : sql``
        }
      order by i.id
      for update
    ),
    untagged as (
      delete from image_references r using target where r.image_id = target.id
      returning r.image_id, r.familiar
    )
    select t.id, t.parent_id as "parentId",
      array(select u.familiar from untagged u where u.image_id = t.id order by u.familiar)
        as untagged,
      array(select l.chain_id from image_layers l where l.image_id = t.id
            order by l.position desc) as chain
    from target t`;
  const order = new Map(ids.map((id, i) => [id, i]));
  targets.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const removedIds = targets.map((target) => target.id);
  const chain = [...new Set(targets.flatMap((target) => target.chain))];
  // Deletes that share layers take turns on them (in one order, so never
  // in a deadlock): each then sees the others' references gone, and the
  // last one out releases the layers.
  await sql`select from layers where chain_id = any(${chain}::text[]) order by chain_id for update`;
  // The images built on these, read after the lineage lock: none can be added now.
  const derived = await sql<{ id: string }[]>`
    with derived as (
      select id from images
      where base_id = any(${removedIds}::text[]) and not id = any(${removedIds}::text[])
    ),
    gone as (delete from images where id = any(${removedIds}::text[]))
    select id from derived`;
  const released = await sql<LayerRow[]>`
    delete from layers l
    where l.chain_id = any(${chain}::text[])
      and not exists (select from image_layers r where r.chain_id = l.chain_id)
    returning ${layerColumns(sql)}`;
  // Images built on a removed one go to their next candidate.
  await rebase(
    sql,
    derived.map((row) => row.id),
  );
  const removedSet = new Set(removedIds);
  const byChainId = new Map(released.map((layer) => [layer.chainId, layer]));
  const releasedBy = targets.map((target) =>
    target.chain.flatMap((chainId) => {
      const layer = byChainId.get(chainId);
      // A layer two of these images shared is reported once, with the first.
      byChainId.delete(chainId);
      return layer ?? [];
    }),
  );
  await recordEvents(
    sql,
    targets.flatMap((target, i) => [
      ...target.untagged.map((reference) => ({
        type: 'UNTAG' as const,
        imageId: target.id,
        reference,
      })),
      {
        type: event,
        imageId: target.id,
        parentId: target.parentId,
        releasedLayers: releasedBy[i]!,
      },
    ]),
  );
  const releasedLayers = releasedBy.flat();
  const parents = [...new Set(targets.flatMap((target) => target.parentId ?? []))].filter(
    (id) => !removedSet.has(id),
  );
  return {
    deleted: removedIds,
    untagged: targets.flatMap((target) => target.untagged),
    releasedLayers,
    parents,
  };
}
