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

/** What store_images takes of each image, in its order of parameters. */
function imageFields(image: Validated): (string | null)[] {
  return [
    image.id,
    image.rawConfig,
    // A parent applies only to a new image, and an image can name itself only
    // once it is stored: then the insert does nothing, but its check on
    // parent_id <> id would fire first.
    image.parentId === image.id ? null : image.parentId,
    image.created,
    image.architecture,
    image.os,
    image.author,
    image.comment,
    image.labels === null ? null : JSON.stringify(image.labels),
    `{${image.chain.join(',')}}`,
    `{${image.historyChain.join(',')}}`,
  ];
}

/**
 * The call of store_images, written out once for each form: built per create
 * from fragments, its eleven arrays cost about 8% of a create's server CPU.
 * A lone image's values go as scalars, each made an array in SQL: an array
 * parameter is escaped character by character on the way out and parsed
 * again on the way in, a config's whole text included.
 */
function storeImagesCall(lone: boolean): string {
  const images = Array.from({ length: 11 }, (_, i) =>
    lone ? `array[$${i + 1}::text]` : `$${i + 1}::text[]`,
  );
  const refs = ['text', 'int', 'text', 'text', 'text'].map((type, i) => `$${12 + i}::${type}[]`);
  return `select * from store_images(${[...images, ...refs, '$17'].join(', ')})`;
}
const STORE_LONE_IMAGE = storeImagesCall(true);
const STORE_IMAGES = storeImagesCall(false);

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
  if (images.length === 0) return [];
  const unique = [...new Map(images.map((image) => [image.id, image])).values()];
  const refs = layerReferences(unique);
  const lone = unique.length === 1;
  // A lone image's values go as scalars (see storeImagesCall); a batch's as
  // one array per column.
  const fields = unique.map(imageFields);
  const columns = lone
    ? fields[0]!
    : fields[0]!.map((_, column) => fields.map((f) => f[column] ?? null));
  const rows = await sql.unsafe<(ImageRow & { isNew: boolean })[]>(
    lone ? STORE_LONE_IMAGE : STORE_IMAGES,
    [
      ...columns,
      refs.map((r) => r.imageId),
      refs.map((r) => r.position),
      refs.map((r) => r.chainId),
      refs.map((r) => r.diffId),
      refs.map((r) => r.parentChainId),
      eventType,
    ],
    { prepare: true },
  );
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
