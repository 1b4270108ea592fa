import type { PendingQuery, Row } from 'postgres';
import { InvalidIdError, NotFoundError } from '../domain/errors.js';
import { isIdArgument, referenceNamed } from '../domain/image-name.js';
import { idRange, onlyMatch } from './id-search.js';
import type { Queryable } from './pool.js';

/**
 * Docker's image lookup, in one statement: the image a reference names when
 * there is one, otherwise the ID rules (a full ID or a unique prefix). A hex
 * string such as `4ab3` is both a name and a prefix: the name comes first.
 * `columns` is the select list over `images i`. Null when nothing matches;
 * a name that names nothing and is no ID either is INVALID_ID when
 * `strictIds` (as `image(id:)` has always answered), else null.
 */
export async function lookupImage<T extends Row>(
  sql: Queryable,
  asked: string,
  columns: PendingQuery<Row[]>,
  { strictIds = true } = {},
): Promise<T | null> {
  const name = referenceNamed(asked);
  const byName = () => sql`
    select ${columns} from image_references r join images i on i.id = r.image_id
    where r.name = ${name}`;
  if (name !== null && !isIdArgument(asked)) {
    const [row] = await sql<T[]>`${byName()}`;
    if (row || !strictIds) return row ?? null;
    throw new InvalidIdError(
      `invalid ID "${asked}": no image has this name, and it is not sha256:<hex> or a prefix ` +
        `of up to 64 hex digits`,
    );
  }
  const [low, high] = idRange(asked);
  const rows = await (name === null
    ? sql<T[]>`
        select ${columns} from images i
        where i.id >= ${low} and i.id < ${high}
        order by i.id limit 2`
    : sql<T[]>`
        ${byName()} union all
        (select ${columns} from images i
         where i.id >= ${low} and i.id < ${high}
           and not exists (select from image_references r where r.name = ${name})
         order by i.id limit 2)`);
  return onlyMatch(rows, 'image', asked);
}

/** The full ID of the image an ID, prefix or reference names; none is NOT_FOUND. */
export async function resolveImage(sql: Queryable, asked: string): Promise<string> {
  const row = await lookupImage<{ id: string }>(sql, asked, sql`i.id`, { strictIds: false });
  if (row === null) throw new NotFoundError('image', asked);
  return row.id;
}
