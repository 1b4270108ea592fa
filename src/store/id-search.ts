import { AmbiguousIdError, NotFoundError } from '../domain/errors.js';
import { parseIdQuery } from '../domain/image-id.js';
import type { Queryable } from './pool.js';

/**
 * The key range an ID argument matches: [low, high). A full digest matches
 * itself alone, a prefix every digest it begins; 'g' sorts after every hex
 * digit, so one btree range scan answers both.
 */
export function idRange(asked: string): [low: string, high: string] {
  const query = parseIdQuery(asked);
  const low = 'exact' in query ? query.exact : query.prefix;
  return [low, `${low}g`];
}

/**
 * Docker's Search on rows fetched with `limit 2`: the one match, or null for
 * none. Throws AmbiguousIdError when a prefix matched several.
 */
export function onlyMatch<T>(rows: readonly T[], kind: 'image' | 'layer', asked: string): T | null {
  if (rows.length > 1) throw new AmbiguousIdError(kind, asked);
  return rows[0] ?? null;
}

/** The full ID of the one image an argument names; none is NOT_FOUND. */
export async function resolveImageId(sql: Queryable, asked: string): Promise<string> {
  const [low, high] = idRange(asked);
  const rows = await sql<{ id: string }[]>`
    select id from images where id >= ${low} and id < ${high} order by id limit 2`;
  const match = onlyMatch(rows, 'image', asked);
  if (match === null) throw new NotFoundError('image', asked);
  return match.id;
}
