import { chainIds } from '../domain/chain-id.js';
import { digestOf } from '../domain/digest.js';
import { CycleError, NotFoundError } from '../domain/errors.js';
import { parseImageConfig } from '../domain/image-config.js';
import { historyChain } from '../domain/lineage.js';
import { recordEvents } from './event-log.js';
import { resolveImageId } from './id-search.js';
import { type Queryable, retrying, type Sql, transaction } from './pool.js';
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

/**
 * Docker's Create, with an optional parent argument resolved like any ID: one
 * statement, which is its own transaction.
 */
export function createImage(
  sql: Sql,
  rawConfig: string,
  askedParent: string | null,
): Promise<Created> {
  const config = validate({ rawConfig });
  return retrying(async () => {
    // A parent deleted after this fails the insert's foreign key: the retry
    // then finds it gone.
    const parentId = askedParent === null ? null : await resolveImageId(sql, askedParent);
    const [created] = await insertImages(sql, [{ ...config, parentId }], 'CREATE');
    return created!;
  });
}

/**
 * Create for many configs in one statement: each is validated and
 * content-addressed; parents must be stored already or come in the batch.
 */
export function createImages(sql: Sql, images: readonly NewImage[]): Promise<Created[]> {
  const configs = images.map(validate);
  return retrying(() => insertImages(sql, configs, 'CREATE'));
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

/** One row per layer of each image: where it sits, its chain ID, diff ID and the chain below. */
export function layerReferences(images: readonly Validated[]) {
  return images.flatMap((image) =>
    image.chain.map((chainId, position) => ({
      imageId: image.id,
      position,
      chainId,
      diffId: image.diffIds[position]!,
      parentChainId: image.chain[position - 1] ?? null,
    })),
  );
}

/**
 * Stores the images that are new, and for those alone their layers, layer
 * references and events, with their lineage, in one statement: store_images
 * (migrations/00008_store_images.sql). Images already stored are left as they are.
 */
export async function insertImages(
  sql: Queryable,
  images: readonly Validated[],
  eventType: 'CREATE' | 'IMPORT',
): Promise<Created[]> {
  const unique = [...new Map(images.map((image) => [image.id, image])).values()];
  const refs = layerReferences(unique);
  // A lone image's values go as scalars, each made an array in SQL: an array
  // parameter is escaped character by character on the way out and parsed
  // again on the way in, a config's whole text included.
  const column = (pick: (image: Validated) => string | null) =>
    unique.length === 1 ? sql`array[${pick(unique[0]!)}::text]` : sql`${unique.map(pick)}::text[]`;
  // A parent applies only to a new image, and an image can name itself only
  // once it is stored: then the insert does nothing, but its check on
  // parent_id <> id would fire first.
  const parentOf = (image: Validated) => (image.parentId === image.id ? null : image.parentId);
  const refColumn = <T>(pick: (ref: (typeof refs)[number]) => T) => refs.map(pick);
  const rows = await sql<(ImageRow & { isNew: boolean })[]>`
    select * from store_images(
      ${column((i) => i.id)}, ${column((i) => i.rawConfig)},
      ${column(parentOf)}, ${column((i) => i.created)},
      ${column((i) => i.architecture)}, ${column((i) => i.os)},
      ${column((i) => i.author)}, ${column((i) => i.comment)},
      ${column((i) => (i.labels === null ? null : JSON.stringify(i.labels)))},
      ${column((i) => `{${i.chain.join(',')}}`)},
      ${column((i) => `{${i.historyChain.join(',')}}`)},
      ${refColumn((r) => r.imageId)}::text[], ${refColumn((r) => r.position)}::int[],
      ${refColumn((r) => r.chainId)}::text[], ${refColumn((r) => r.diffId)}::text[],
      ${refColumn((r) => r.parentChainId)}::text[], ${eventType})`;
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
    await recordEvents(tx, [{ type: 'SET_PARENT', imageId: id, parentId: parent }]);
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
