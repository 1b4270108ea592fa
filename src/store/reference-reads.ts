import { type Extras, extraColumns, type ImageWithExtras, withExtras } from './image-reads.js';
import type { Queryable } from './pool.js';
import { groupBy, type ImageRow, imageColumns } from './rows.js';

/** A name in the reference store and the image it points at. */
export interface ReferenceRow {
  /** The normalized reference: `docker.io/library/ubuntu:22.04`. */
  name: string;
  /** `docker.io/library/ubuntu` */
  repository: string;
  tag: string | null;
  digest: string | null;
  /** As `docker images` shows it: `ubuntu:22.04`. */
  familiar: string;
  imageId: string;
  createdAt: Date;
}

/** The select list of a ReferenceRow from `image_references r`. */
export function referenceColumns(sql: Queryable) {
  return sql`r.name, r.repository, r.tag, r.digest, r.familiar, r.image_id as "imageId",
    r.created_at as "createdAt"`;
}

/** A reference with the image it names, read together. */
export type ReferenceWithImage = ReferenceRow & { image: ImageWithExtras };

/**
 * The reference with this normalized name, or null; with its image and the
 * extras asked for, in the same statement, so that they are one view.
 */
export async function findReference(
  sql: Queryable,
  name: string,
  extras: Extras = {},
): Promise<ReferenceWithImage | null> {
  // The two select lists share no column name, so one row holds both.
  const [row] = await sql<(ReferenceRow & ImageRow)[]>`
    select ${referenceColumns(sql)}, ${imageColumns(sql)} ${extraColumns(sql, extras)}
    from image_references r join images i on i.id = r.image_id
    where r.name = ${name}`;
  if (!row) return null;
  const { name: _, repository, tag, digest, familiar, imageId, createdAt, ...image } = row;
  const reference = { name, repository, tag, digest, familiar, imageId, createdAt };
  return { ...reference, image: withExtras(image) };
}

/** Each image's references, ordered by name. */
export async function referencesOf(
  sql: Queryable,
  imageIds: readonly string[],
): Promise<ReferenceRow[][]> {
  const rows = await sql<ReferenceRow[]>`
    select ${referenceColumns(sql)} from image_references r
    where r.image_id = any(${imageIds as string[]}::text[])
    order by r.name`;
  return groupBy(imageIds, rows, (row) => row.imageId);
}

/** What a page of the reference list is cut by. */
export interface ReferenceWindow {
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  descending: boolean;
  /** Only this repository's references (a normalized repository name). */
  repository: string | null;
}

/** One page of references ordered by name; descending pages serve `last`. */
export function referencePage(sql: Queryable, page: ReferenceWindow): Promise<ReferenceRow[]> {
  return sql<ReferenceRow[]>`
    select ${referenceColumns(sql)} from image_references r
    where true
      ${page.repository === null ? sql`` : sql`and r.repository = ${page.repository}`}
      ${page.after === undefined ? sql`` : sql`and r.name > ${page.after}`}
      ${page.before === undefined ? sql`` : sql`and r.name < ${page.before}`}
    order by r.name ${page.descending ? sql`desc` : sql`asc`}
    limit ${page.limit}`;
}

/** How many references there are, or how many in one repository. */
export async function countReferences(sql: Queryable, repository: string | null): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from image_references r
    where true ${repository === null ? sql`` : sql`and r.repository = ${repository}`}`;
  return row!.count;
}
