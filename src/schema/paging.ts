import { isDigest } from '../domain/digest.js';
import { BadInputError } from '../domain/errors.js';
import type { DescendantCursor, ListPosition } from '../store/image-store.js';

/** The page size when a client asks for none, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Checks first/last and gives the size options of Pothos's connection helpers. */
export function pageSize(args: { first?: number | null; last?: number | null }) {
  for (const [name, value] of [
    ['first', args.first],
    ['last', args.last],
  ] as const) {
    if (value != null && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw new BadInputError(`${name} must be between 1 and ${MAX_PAGE_SIZE}, got ${value}`);
    }
  }
  return { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE };
}

/** The cursor of an image in a list: its ID, and in a creation-time order its sort key too. */
export function listCursor(row: { id: string; sortKey?: string }): string {
  if (row.sortKey === undefined) return row.id;
  return Buffer.from(`${row.sortKey}|${row.id}`).toString('base64url');
}

// How PostgreSQL writes a timestamptz as text (ISO DateStyle), or -infinity.
const SORT_KEY =
  /^(-infinity|\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2}( BC)?)$/;

/**
 * Reads a list cursor back, for the order the list is in; anything not made here is BAD_USER_INPUT.
 */
export function parseListCursor(
  cursor: string | null | undefined,
  byCreated: boolean,
): ListPosition | undefined {
  if (cursor == null) return undefined;
  if (!byCreated) {
    if (isDigest(cursor)) return { id: cursor };
    throw invalidCursor(cursor);
  }
  const text = Buffer.from(cursor, 'base64url').toString();
  const bar = text.lastIndexOf('|');
  const [key, id] = [text.slice(0, bar), text.slice(bar + 1)];
  if (bar === -1 || !SORT_KEY.test(key) || !isDigest(id)) throw invalidCursor(cursor);
  return { id, key };
}

/** A descendant's cursor: its depth and ID, the breadth-first order's key. */
export function descendantCursor(row: DescendantCursor): string {
  return `${row.depth}:${row.id}`;
}

/** Reads a descendant's cursor back. */
export function parseDescendantCursor(cursor: string | null | undefined): DescendantCursor | null {
  if (cursor == null) return null;
  const match = /^(\d{1,4}):(.+)$/.exec(cursor);
  if (!match || !isDigest(match[2]!)) throw invalidCursor(cursor);
  return { depth: Number(match[1]), id: match[2]! };
}

function invalidCursor(cursor: string): BadInputError {
  return new BadInputError(`invalid cursor "${cursor.slice(0, 80)}"`);
}

/** A connection's cost multiplier: the page it can return (a bad size is reported by pageSize). */
export function pageComplexity(args: { first?: number | null; last?: number | null }) {
  const size = args.first ?? args.last ?? DEFAULT_PAGE_SIZE;
  return { field: 1, multiplier: Math.max(0, Math.min(size, MAX_PAGE_SIZE)) };
}
