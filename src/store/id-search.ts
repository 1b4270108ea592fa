import { parseIdQuery } from '../domain/image-id.js';
import { AmbiguousIdError, NotFoundError } from '../domain/errors.js';
import type { Queryable } from './database.js';

/** The tables whose digest keys can be searched by prefix. */
const KEYS = {
  image: { table: 'images', key: 'id' },
  layer: { table: 'layers', key: 'chain_id' },
} as const;

/**
 * Docker's Search: the one key matching a full digest or a prefix, or null
 * when none does. Throws AmbiguousIdError when a prefix matches several.
 */
export async function searchId(sql: Queryable, kind: keyof typeof KEYS, asked: string): Promise<string | null> {
  const query = parseIdQuery(asked);
  const { table, key } = KEYS[kind];
  // 'g' sorts after every hex digit, so [prefix, prefix + 'g') is the prefix's range.
  const rows =
    'exact' in query
      ? await sql<{ id: string }[]>`select ${sql(key)} as id from ${sql(table)} where ${sql(key)} = ${query.exact}`
      : await sql<{ id: string }[]>`
          select ${sql(key)} as id from ${sql(table)}
          where ${sql(key)} >= ${query.prefix} and ${sql(key)} < ${query.prefix + 'g'}
          order by ${sql(key)} limit 2`;
  if (rows.length > 1) throw new AmbiguousIdError(kind, asked);
  return rows[0]?.id ?? null;
}

/** Like searchId, for arguments that must name something: none is NOT_FOUND. */
export async function resolveId(sql: Queryable, kind: keyof typeof KEYS, asked: string): Promise<string> {
  const id = await searchId(sql, kind, asked);
  if (id === null) throw new NotFoundError(kind, asked);
  return id;
}
