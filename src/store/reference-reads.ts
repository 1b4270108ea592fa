import type { Queryable } from './pool.js';
import { groupBy } from './rows.js';

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

/** The reference with this normalized name, or null. */
export async function findReference(sql: Queryable, name: string): Promise<ReferenceRow | null> {
  const [row] = await sql<ReferenceRow[]>`
    select ${referenceColumns(sql)} from image_references r where r.name = ${name}`;
  return row ?? null;
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
