import type { LabelFilter } from '../domain/label-filter.js';
import { type Extras, extraColumns, type ImageWithExtras, withExtras } from './image-reads.js';
import type { Queryable } from './pool.js';
import { fixed, imageColumns } from './rows.js';

/** What `images` lists: every filter must hold (Docker's `docker images --filter`). */
export interface ImageFilter {
  /** Only images no image has as its parent. */
  headsOnly?: boolean;
  /** Only the roots of the parent forest: images with no parent. */
  rootsOnly?: boolean;
  /** Only the roots of the lineage forest: images with no base. */
  lineageRootsOnly?: boolean;
  /** Images with no references and no children (true), or the others (false). */
  dangling?: boolean | null;
  /** Anchored regular expressions: a reference's familiar form or repository must match one. */
  referencePatterns?: readonly string[] | null;
  /** Label keys that must be there, and key=value pairs that must match. */
  label?: LabelFilter | null;
  /** Full IDs: images created before, or after, that image. */
  beforeId?: string | null;
  sinceId?: string | null;
  os?: string | null;
  architecture?: string | null;
}

/** The orders of the image list; creation-time orders break ties by ID, the same way. */
export type ImageOrder = 'ID' | 'CREATED_DESC' | 'CREATED_ASC';

/** A place in the list: the ID, and for creation-time orders the row's sortKey. */
export interface ListPosition {
  id: string;
  key?: string;
}

/** What a page of the image list is cut by: Relay's cursor window, in the list's order. */
export interface PageWindow {
  after?: ListPosition | undefined;
  before?: ListPosition | undefined;
  limit: number;
  /** Read from the end backwards, to serve `last`. */
  inverted: boolean;
}

/** An image of a list page; sortKey places it in a creation-time order. */
export type ListedImage = ImageWithExtras & { sortKey?: string };

/** One page of images in the order asked, filtered, with the extras asked for. */
export async function imagePage(
  sql: Queryable,
  filter: ImageFilter,
  order: ImageOrder,
  page: PageWindow,
  extras: Extras = {},
): Promise<ListedImage[]> {
  const byCreated = order !== 'ID';
  const ascending = (order !== 'CREATED_DESC') !== page.inverted;
  const [afterOp, beforeOp] = order === 'CREATED_DESC' ? ['<', '>'] : ['>', '<'];
  const key = byCreated ? sql`(${createdKey(sql)}, i.id)` : sql`i.id`;
  const at = (position: ListPosition) =>
    byCreated
      ? sql`(${position.key ?? null}::timestamptz, ${position.id}::text collate "C")`
      : sql`${position.id}::text collate "C"`;
  const direction = ascending ? sql`asc` : sql`desc`;
  const after = page.after && sql`and ${key} ${sql.unsafe(afterOp)} ${at(page.after)}`;
  const before = page.before && sql`and ${key} ${sql.unsafe(beforeOp)} ${at(page.before)}`;
  const rows = await sql<ListedImage[]>`
    select ${imageColumns(sql)} ${extraColumns(sql, extras)}
      ${byCreated ? sql`, ${createdKey(sql)}::text as "sortKey"` : sql``}
    from images i
    where true
      ${filterClauses(sql, filter)}
      ${after ?? sql``}
      ${before ?? sql``}
    order by ${byCreated ? sql`${createdKey(sql)} ${direction},` : sql``} i.id ${direction}
    limit ${page.limit}`;
  return rows.map(withExtras);
}

/**
 * How many images the filter selects. All images, and all heads, are sums of
 * the few rows of counts the writes keep (migration 00009): the same cost at
 * any size. Other filters count the rows they select.
 */
export async function countImages(sql: Queryable, filter: ImageFilter): Promise<number> {
  const kept = keptCount(filter);
  const [row] = await (kept
    ? sql<{ count: number }[]>`select sum(${sql(kept)})::int as count from image_counts`
    : sql<{ count: number }[]>`
        select count(*)::int as count from images i where true ${filterClauses(sql, filter)}`);
  return row!.count;
}

/** The filters that select something: set, not false, not an empty list. */
function setFilters(filter: ImageFilter): [string, unknown][] {
  return Object.entries(filter).filter(
    ([, value]) =>
      value != null && value !== false && !(Array.isArray(value) && value.length === 0),
  );
}

/** The kept count that answers the filter, if one does. */
function keptCount(filter: ImageFilter): 'images' | 'heads' | null {
  const set = setFilters(filter);
  if (set.length === 0) return 'images';
  if (set.length === 1 && set[0]![0] === 'headsOnly') return 'heads';
  return null;
}

// Images without a created time sort first, as Go's zero time would; the
// images_created index is on this expression.
function createdKey(sql: Queryable) {
  return sql`coalesce(i.created, '-infinity'::timestamptz)`;
}

/** Conditions on image `i` that its config.Labels hold every key and key=value pair given. */
function labelClauses(sql: Queryable, { keys, pairs }: LabelFilter) {
  // The pair travels as text: a parameter typed jsonb would be encoded once more, as a string.
  return sql`
    ${keys.length === 0 ? sql`` : sql`and i.labels ?& ${keys}::text[]`}
    ${pairs.reduce((all, pair) => sql`${all} and i.labels @> ${pair}::text::jsonb`, sql``)}`;
}

/** Conditions on image `i`, each starting with `and`, that every filter given holds. */
export function filterClauses(sql: Queryable, filter: ImageFilter) {
  // The usual list has no filter: no fragments to build for it.
  if (setFilters(filter).length === 0) return fixed(sql, 'no filter', () => sql``);
  const noChildren = sql`i.child_count = 0`;
  const noReferences = sql`not exists (select from image_references r where r.image_id = i.id)`;
  const createdOf = (id: string) =>
    sql`(select coalesce(b.created, '-infinity'::timestamptz) from images b where b.id = ${id})`;
  const patterns = filter.referencePatterns ?? [];
  return sql`
    ${filter.headsOnly ? sql`and ${noChildren}` : sql``}
    ${filter.rootsOnly ? sql`and i.parent_id is null` : sql``}
    ${filter.lineageRootsOnly ? sql`and i.base_id is null` : sql``}
    ${filter.dangling === true ? sql`and ${noChildren} and ${noReferences}` : sql``}
    ${filter.dangling === false ? sql`and not (${noChildren} and ${noReferences})` : sql``}
    ${
      patterns.length === 0
        ? sql``
        : sql`and exists (select from image_references r where r.image_id = i.id
              and (r.familiar ~ any(${patterns as string[]}::text[])
                   or r.familiar_repository ~ any(${patterns as string[]}::text[])))`
    }
    ${filter.label ? labelClauses(sql, filter.label) : sql``}
    ${filter.beforeId ? sql`and ${createdKey(sql)} < ${createdOf(filter.beforeId)}` : sql``}
    ${filter.sinceId ? sql`and ${createdKey(sql)} > ${createdOf(filter.sinceId)}` : sql``}
    ${filter.os == null ? sql`` : sql`and i.os = ${filter.os}`}
    ${filter.architecture == null ? sql`` : sql`and i.architecture = ${filter.architecture}`}`;
}
