import { lookupImage } from './image-lookup.js';
import { layerChain } from './layer-reads.js';
import type { Queryable } from './pool.js';
import { fixed, groupBy, type ImageRow, imageColumns, imageJson, type LayerRow } from './rows.js';

/**
 * A tree edge between images, named by the link that points up: parent links.
 * A walk down or up takes the edge, so another kind of link is one more entry.
 */
export type TreeEdge = 'parent' | 'base';

// The column of images that names the image one step up along each edge:
// parent links as Docker's legacy builder set them, and lineage's base links.
const UP_COLUMN: Record<TreeEdge, string> = { parent: 'parent_id', base: 'base_id' };

function up(sql: Queryable, edge: TreeEdge, alias: string) {
  return sql`${sql(alias)}.${sql(UP_COLUMN[edge])}`;
}

/** An image found below another along an edge: `upId` names the image one step up. */
export type BelowRow = ImageRow & { upId: string };

/** An image with how far below some other image it stands (1 = a child). */
export type DescendantRow = ImageRow & { depth: number };

/**
 * What to read with each image in the same statement, so that all of it is one view of the image.
 */
export interface Extras {
  config?: boolean;
  layers?: boolean;
  /** The parent's row (null when it has none). */
  parent?: boolean;
  /** The rows of the images whose parent this is, ordered by ID. */
  children?: boolean;
}

/**
 * An image with the extras that were asked for: its config text, its layer
 * chain, its parent's row and its children's rows.
 */
export type ImageWithExtras = ImageRow & {
  rawConfig?: string;
  layers?: LayerRow[];
  parentRow?: ImageRow | null;
  childRows?: ImageRow[];
};

/**
 * Get and Search: the image a reference, a full ID or a prefix names, or
 * null, with the extras asked for.
 */
export async function findImage(
  sql: Queryable,
  asked: string,
  extras: Extras = {},
): Promise<ImageWithExtras | null> {
  const columns = sql`${imageColumns(sql)} ${extraColumns(sql, extras)}`;
  const row = await lookupImage<ImageRow>(sql, asked, columns);
  return row === null ? null : withExtras(row);
}

/** The images with these IDs, in no particular order; missing IDs are left out. */
export function imagesByIds(sql: Queryable, ids: readonly string[]): Promise<ImageRow[]> {
  return sql<
    ImageRow[]
  >`select ${imageColumns(sql)} from images i where i.id = any(${ids as string[]}::text[])`;
}

/** The images one step below any of these along the edge (children, for parents), ordered by ID. */
export function belowOf(
  sql: Queryable,
  edge: TreeEdge,
  upIds: readonly string[],
): Promise<BelowRow[]> {
  return sql<BelowRow[]>`
    select ${imageColumns(sql)}, ${up(sql, edge, 'i')} as "upId" from images i
    where ${up(sql, edge, 'i')} = any(${upIds as string[]}::text[])
    order by i.id`;
}

/**
 * The walk down a tree along an edge, as a `down (id, depth)` common table
 * expression: every image up to maxDepth levels below these. The depth bound
 * also ends a cycle.
 */
function walkDown(sql: Queryable, edge: TreeEdge, rootIds: readonly string[], maxDepth: number) {
  return sql`
    with recursive down (id, depth) as (
      select i.id, 1 from images i where ${up(sql, edge, 'i')} = any(${rootIds as string[]}::text[])
      union all
      select c.id, down.depth + 1 from down join images c on ${up(sql, edge, 'c')} = down.id
      where down.depth < ${maxDepth}
    )`;
}

/** An image in a subtree, with the extras asked for. */
export type SubtreeRow = DescendantRow & BelowRow & ImageWithExtras;

/**
 * Everything up to `depth` levels below any of these images, in one recursive
 * query: what a nested children selection of that depth will read, with each
 * image's config and layers when the selection reads those too.
 */
export async function subtreeOf(
  sql: Queryable,
  edge: TreeEdge,
  rootIds: readonly string[],
  depth: number,
  extras: Extras,
): Promise<SubtreeRow[]> {
  const rows = await sql<SubtreeRow[]>`
    ${walkDown(sql, edge, rootIds, depth)}
    select down.depth, ${imageColumns(sql)}, ${up(sql, edge, 'i')} as "upId"
      ${extraColumns(sql, extras)}
    from down join images i on i.id = down.id
    order by i.id`;
  return rows.map(withExtras);
}

/** The select list of the extras of image `i`, to follow imageColumns. */
export function extraColumns(sql: Queryable, extras: Extras) {
  // A chain travels as one string of fixed-width pairs (see splitChain).
  const key = `extras ${extras.config} ${extras.layers} ${extras.parent} ${extras.children}`;
  return fixed(
    sql,
    key,
    () => sql`
    ${extras.config ? sql`, i.raw_config as "rawConfig"` : sql``}
    ${
      extras.layers
        ? // Ordered in a subquery: the index returns the chain in order, where
          // an order within the aggregate sorted every image's rows again.
          sql`, (select coalesce(string_agg(r.pair, ''), '') from (
                 select r.chain_id || r.diff_id as pair from image_layers r
                 where r.image_id = i.id order by r.position) r) as chain`
        : sql``
    }
    ${
      extras.parent
        ? sql`, (select ${imageJson(sql, 'p')} from images p where p.id = i.parent_id) as "parentRow"`
        : sql``
    }
    ${
      extras.children
        ? sql`, (select coalesce(json_agg(${imageJson(sql, 'c')} order by c.id), '[]')
                 from images c where c.parent_id = i.id) as "childRows"`
        : sql``
    }`,
  );
}

/**
 * A row read with extraColumns, completed in place (a page's rows were copied
 * on their way to the loaders, which made the garbage collector a fifth of
 * the server's time): its chain split into layers, its neighbours' rows as rows.
 */
export function withExtras<T extends ImageRow>(row: T): T & ImageWithExtras {
  const read = row as T & {
    chain?: string;
    layers?: LayerRow[];
    parentRow?: JsonImageRow | null;
    childRows?: JsonImageRow[];
  };
  if (read.chain !== undefined) {
    read.layers = splitChain(read.chain);
    read.chain = undefined;
  }
  if (read.parentRow) fromJson(read.parentRow);
  if (read.childRows) for (const child of read.childRows) fromJson(child);
  return read as T & ImageWithExtras;
}

/** An ImageRow as imageJson builds it: its times as text. */
type JsonImageRow = Omit<ImageRow, 'created' | 'lastTagTime'> & {
  created: string | null;
  lastTagTime: string | null;
};

/** Makes an imageJson row an ImageRow in place: its times as dates. */
function fromJson(row: JsonImageRow): void {
  const time = (text: string | null) => (text === null ? null : new Date(text));
  const image = row as unknown as ImageRow;
  image.created = time(row.created);
  image.lastTagTime = time(row.lastTagTime);
}

// Every chain ID and diff ID is 71 characters long: sha256: and 64 hex digits.
const DIGEST_LENGTH = 'sha256:'.length + 64;

function splitChain(chain: string): LayerRow[] {
  const chainIds: string[] = [];
  const diffIds: string[] = [];
  for (let at = 0; at < chain.length; at += 2 * DIGEST_LENGTH) {
    chainIds.push(chain.slice(at, at + DIGEST_LENGTH));
    diffIds.push(chain.slice(at + DIGEST_LENGTH, at + 2 * DIGEST_LENGTH));
  }
  return layerChain(chainIds, diffIds);
}

/** Where a page of descendants starts: after this edge, in breadth-first order. */
export interface DescendantCursor {
  depth: number;
  id: string;
}

/**
 * One page of the images below an image along the edge, breadth-first (by
 * depth, then ID), no deeper than maxDepth. The depth bound also ends the walk
 * on a cycle.
 */
export function descendantsOf(
  sql: Queryable,
  edge: TreeEdge,
  id: string,
  page: { maxDepth: number; after: DescendantCursor | null; limit: number },
): Promise<DescendantRow[]> {
  const after = page.after ?? { depth: 0, id: '' };
  return sql<DescendantRow[]>`
    ${walkDown(sql, edge, [id], page.maxDepth)}
    , page as (
      select id, depth from down
      where (depth, id) > (${after.depth}::int, ${after.id}::text collate "C")
      order by depth, id
      limit ${page.limit}
    )
    select page.depth, ${imageColumns(sql)} from page join images i on i.id = page.id
    order by page.depth, i.id`;
}

/** How many images stand below an image along the edge, no deeper than maxDepth. */
export async function countDescendants(
  sql: Queryable,
  edge: TreeEdge,
  id: string,
  maxDepth: number,
): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    ${walkDown(sql, edge, [id], maxDepth)}
    select count(*)::int as count from down`;
  return row!.count;
}

/**
 * Each image's ancestors along the edge, nearest first, walked for all of them
 * by one recursive query that stops maxDepth levels up.
 */
export async function ancestorsOf(
  sql: Queryable,
  edge: TreeEdge,
  ids: readonly string[],
  maxDepth: number,
): Promise<ImageRow[][]> {
  const above = up(sql, edge, 'i');
  const rows = await sql<(ImageRow & { startId: string })[]>`
    with recursive up (start_id, id, depth) as (
      select i.id, ${above}, 1 from images i
      where i.id = any(${ids as string[]}::text[]) and ${above} is not null
      union all
      select up.start_id, ${above}, up.depth + 1 from up join images i on i.id = up.id
      where ${above} is not null and up.depth < ${maxDepth}
    )
    select up.start_id as "startId", ${imageColumns(sql)}
    from up join images i on i.id = up.id
    order by up.start_id, up.depth`;
  return groupBy(ids, rows, (row) => row.startId);
}

/** The config text of each image, keyed by ID. */
export async function configsOf(
  sql: Queryable,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; rawConfig: string }[]>`
    select id, raw_config as "rawConfig" from images where id = any(${ids as string[]}::text[])`;
  return new Map(rows.map((row) => [row.id, row.rawConfig]));
}
