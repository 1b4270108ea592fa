import { chainIds } from '../domain/chain-id.js';
import { digestOf } from '../domain/digest.js';
import { CycleError, NotFoundError } from '../domain/errors.js';
import { parseImageConfig } from '../domain/image-config.js';
import { historyChain } from '../domain/lineage.js';
import { resolveImageId } from './id-search.js';
import { lineageLocks, rebaseAfterCreate } from './lineage.js';
import { type Queryable, RowVanished, type Sql, transaction } from './pool.js';
import { type ImageRow, imageColumns } from './rows.js';

// Parent changes take this lock so that two of them cannot each pass the
// cycle check against a tree the other is about to change.
const TREE_LOCK = 7_210_002;

/** A config to store, and the full ID of its parent if it has one. */
export interface NewImage {
  rawConfig: string;
  parentId?: string | null;
}

/** What a create did for one config: the stored image, and whether it is new. */
export interface Created {
  image: ImageRow;
  created: boolean;
}

/** Docker's Create, with an optional parent argument resolved like any ID. */
export async function createImage(
  sql: Sql,
  rawConfig: string,
  askedParent: string | null,
): Promise<Created> {
  const config = validate({ rawConfig });
  return transaction(sql, async (tx) => {
    const parentId = askedParent === null ? null : await resolveImageId(tx, askedParent);
    const [created] = await insertImages(tx, [{ ...config, parentId }]);
    return created!;
  });
}

/**
 * Create for many configs in one transaction: each is validated and
 * content-addressed; parents must be stored already or come earlier in the batch.
 */
export async function createImages(sql: Sql, images: readonly NewImage[]): Promise<Created[]> {
  const configs = images.map(validate);
  return transaction(sql, (tx) => insertImages(tx, configs));
}

/** A config parsed, content-addressed and chained, ready to insert. */
export type Validated = ReturnType<typeof validate>;

/** Parses a config and computes what the store keeps of it; throws InvalidConfigError. */
export function validate({ rawConfig, parentId = null }: NewImage) {
  const config = parseImageConfig(rawConfig);
  return {
    ...config,
    rawConfig,
    parentId,
    id: digestOf(rawConfig),
    chain: chainIds(config.diffIds),
    historyChain: historyChain(config.history),
  };
}

/**
 * Stores the images that are new, and for those alone their layers and layer
 * references, in one statement; images already stored are left as they are.
 */
export async function insertImages(
  sql: Queryable,
  images: readonly Validated[],
): Promise<Created[]> {
  const unique = [...new Map(images.map((image) => [image.id, image])).values()];
  const refs = unique.flatMap((image) =>
    image.chain.map((chainId, position) => ({
      imageId: image.id,
      position,
      chainId,
      diffId: image.diffIds[position]!,
      parentChainId: image.chain[position - 1] ?? null,
    })),
  );
  const column = <T>(pick: (image: Validated) => T) => unique.map(pick);
  // A parent applies only to a new image, and an image can name itself only
  // once it is stored: then the insert does nothing, but its check on
  // parent_id <> id would fire first.
  const parentOf = (image: Validated) => (image.parentId === image.id ? null : image.parentId);
  const refColumn = <T>(pick: (ref: (typeof refs)[number]) => T) => refs.map(pick);
  // One round trip: generic plans (these statements are written to stay index
  // probes under one, and planning the lineage statement for each call's
  // values took longer than running it), the lineage locks (writers of one
  // lineage take turns from here, before any of them holds a layer), the
  // insert, then for a batch the bases and the rows read back, which must see
  // the insert.
  const locked = sql`
    select set_config('plan_cache_mode', 'force_generic_plan', true),
      ${lineageLocks(
        sql,
        unique.map((image) => image.chain[0] ?? null),
      )}`.execute();
  const inserted = sql<(ImageRow & { apart: boolean })[]>`
    with new_images as (
      insert into images as i
        (id, raw_config, parent_id, created, architecture, os, author, comment, labels,
         chain_top, chain_length, history_chain, base_id)
      select id, raw_config, parent_id, created, architecture, os, author, comment, labels::jsonb,
        chain[cardinality(chain)], cardinality(chain), history_chain,
        -- Among the images stored before this statement: one of this batch
        -- may be nearer, which the statement after it sees.
        base.base_id
      from unnest(
        ${column((i) => i.id)}::text[], ${column((i) => i.rawConfig)}::text[],
        ${column(parentOf)}::text[],
        ${column((i) => i.created)}::text[]::timestamptz[],
        ${column((i) => i.architecture)}::text[], ${column((i) => i.os)}::text[],
        ${column((i) => i.author)}::text[], ${column((i) => i.comment)}::text[],
        ${column((i) => (i.labels === null ? null : JSON.stringify(i.labels)))}::text[],
        ${column((i) => `{${i.chain.join(',')}}`)}::text[],
        ${column((i) => `{${i.historyChain.join(',')}}`)}::text[]
      ) as new (id, raw_config, parent_id, created, architecture, os, author, comment, labels,
                chain_text, history_text),
      lateral (select chain_text::text[] as chain, history_text::text[] as history_chain) arrays
      left join lateral lineage_base_of(new.id, arrays.chain, arrays.history_chain) base on true
      on conflict (id) do nothing
      returning ${imageColumns(sql)},
        -- No stored image holds its chain, so none can have it as a nearer
        -- base: a lone new image is then complete without the rebase.
        i.chain_top is not null and not exists (
          select from image_layers yl
          where yl.chain_id = i.chain_top and yl.position = i.chain_length - 1
        ) as apart
    ),
    refs as (
      select * from unnest(
        ${refColumn((r) => r.imageId)}::text[], ${refColumn((r) => r.position)}::int[],
        ${refColumn((r) => r.chainId)}::text[], ${refColumn((r) => r.diffId)}::text[],
        ${refColumn((r) => r.parentChainId)}::text[]
      ) as r (image_id, position, chain_id, diff_id, parent_chain_id)
      where r.image_id in (select id from new_images)
    ),
    new_layers as (
      -- One order for every writer, so that concurrent creates never deadlock.
      insert into layers (chain_id, diff_id, parent_chain_id, depth)
      select distinct chain_id, diff_id, parent_chain_id, position + 1 from refs order by chain_id
      on conflict (chain_id) do nothing
    ),
    -- Checking each reference locks its layer: in chain ID order, as deletes lock them.
    new_refs as (
      insert into image_layers (image_id, position, chain_id, diff_id)
      select image_id, position, chain_id, diff_id from refs order by chain_id
    )
    select * from new_images`.execute();
  const ids = unique.map((image) => image.id);
  const lone = unique.length === 1;
  // A batch's rebase goes out with the insert; a lone image's only when the
  // insert says it may be needed (it came between stored images, or it was
  // stored already and is read back), at the cost of a round trip then.
  const pipelined = lone ? null : rebaseAfterCreate(sql, ids);
  const [fresh, rebased] = await Promise.all([inserted, pipelined, locked]);
  const rows =
    rebased ??
    (fresh.length === 1 && fresh[0]!.apart
      ? fresh.map(({ apart, ...row }) => ({ ...row, isNew: true }))
      : await rebaseAfterCreate(sql, ids));
  // An image that was there for the insert but is gone now was deleted in
  // between: run again, and this time store it.
  if (rows.length < unique.length) throw new RowVanished();
  const byId = new Map(rows.map(({ isNew, ...row }) => [row.id, { row, isNew }]));
  const asked = images.map((image) => image.id);
  return images.map((image, i) => {
    const { row, isNew } = byId.get(image.id)!;
    // A config twice in one batch is new the first time only.
    return { image: row, created: isNew && asked.indexOf(image.id) === i };
  });
}

/** Docker's SetParent: links an image under a parent, or unlinks it with null. */
export async function setParent(
  sql: Sql,
  asked: string,
  askedParent: string | null,
): Promise<ImageRow> {
  return transaction(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(${TREE_LOCK})`;
    const id = await resolveImageId(tx, asked);
    const parent = askedParent === null ? null : await resolveImageId(tx, askedParent);
    if (parent !== null && (await isAncestorOrSelf(tx, id, parent)))
      throw new CycleError(id, parent);
    const updated = await tx`update images set parent_id = ${parent} where id = ${id} returning id`;
    // A delete committed between finding the image and updating it.
    if (updated.length === 0) throw new NotFoundError('image', asked);
    const [row] = await tx<ImageRow[]>`select ${imageColumns(tx)} from images i where i.id = ${id}`;
    return row!;
  });
}

async function isAncestorOrSelf(sql: Queryable, ancestor: string, id: string): Promise<boolean> {
  const [row] = await sql<{ found: boolean }[]>`
    with recursive up (id, parent_id) as (
      select id, parent_id from images where id = ${id}
      union
      select i.id, i.parent_id from images i join up on i.id = up.parent_id
    )
    select exists (select from up where id = ${ancestor}) as found`;
  return row!.found;
}
