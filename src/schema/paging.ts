import { isDigest } from '../domain/digest.js';
import { BadInputError } from '../domain/errors.js';

/** The page size when a client asks for none, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Checks first/last and gives the size options of Pothos's connection helpers. */
export function pageSize(args: { first?: number | null; last?: number | null }) {
  for (const [name, value] of [['first', args.first], ['last', args.last]] as const) {
    if (value != null && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw new BadInputError(`${name} must be between 1 and ${MAX_PAGE_SIZE}, got ${value}`);
    }
  }
  return { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE };
}

/** A cursor is the ID of the edge's image; anything else was not made by this server. */
export function parseCursor(cursor: string | null | undefined): string | null | undefined {
  if (cursor == null || isDigest(cursor)) return cursor;
  throw new BadInputError(`invalid cursor "${cursor.slice(0, 80)}"`);
}
