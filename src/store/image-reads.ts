import type { Queryable } from './database.js';
import { groupBy, imageColumns, type ImageRow } from './rows.js';

/** The images with these IDs, in no particular order; missing IDs are left out. */
export function imagesByIds(sql: Queryable, ids: readonly string[]): Promise<ImageRow[]> {
  return sql<ImageRow[]>`select ${imageColumns(sql)} from images i where i.id = any(${ids as string[]}::text[])`;
}

/** The children of any of these images, ordered by ID. */
export function childrenOf(sql: Queryable, parentIds: readonly string[]): Promise<ImageRow[]> {
  return sql<ImageRow[]>`
    select ${imageColumns(sql)} from images i
    where i.parent_id = any(${parentIds as string[]}::text[])
    order by i.id`;
}

/** Each image's ancestors, parent first, walked by one recursive query for all of them. */
export async function ancestorsOf(sql: Queryable, ids: readonly string[]): Promise<ImageRow[][]> {
  const rows = await sql<(ImageRow & { startId: string })[]>`
    with recursive up (start_id, id, depth) as (
      select i.id, i.parent_id, 1 from images i
      where i.id = any(${ids as string[]}::text[]) and i.parent_id is not null
      union all
      select up.start_id, i.parent_id, up.depth + 1 from up join images i on i.id = up.id
      where i.parent_id is not null
    )
    select up.start_id as "startId", ${imageColumns(sql)}
    from up join images i on i.id = up.id
    order by up.start_id, up.depth`;
  return groupBy(ids, rows, (row) => row.startId);
}

/** The config text of each image, keyed by ID. */
export async function configsOf(sql: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; rawConfig: string }[]>`
    select id, raw_config as "rawConfig" from images where id = any(${ids as string[]}::text[])`;
  return new Map(rows.map((row) => [row.id, row.rawConfig]));
}

/** What a page of the image list is cut by: Relay's cursor window, and heads only. */
export interface PageWindow {
  after?: string | undefined;
  before?: string | undefined;
  limit: number;
  descending: boolean;
  headsOnly: boolean;
}

/** One page of images ordered by ID; descending pages serve `last`. */
export function imagePage(sql: Queryable, page: PageWindow): Promise<ImageRow[]> {
  return sql<ImageRow[]>`
    select ${imageColumns(sql)} from images i
    where true
      ${page.after === undefined ? sql`` : sql`and i.id > ${page.after}`}
      ${page.before === undefined ? sql`` : sql`and i.id < ${page.before}`}
      ${headsFilter(sql, page.headsOnly)}
    order by i.id ${page.descending ? sql`desc` : sql`asc`}
    limit ${page.limit}`;
}

/** How many images there are, or how many heads. */
export async function countImages(sql: Queryable, headsOnly: boolean): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from images i where true ${headsFilter(sql, headsOnly)}`;
  return row!.count;
}

function headsFilter(sql: Queryable, headsOnly: boolean) {
  return headsOnly ? sql`and not exists (select from images c where c.parent_id = i.id)` : sql``;
}
