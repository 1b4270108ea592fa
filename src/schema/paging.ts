import { isDigest } from '../domain/digest.js';
import { BadInputError } from '../domain/errors.js';
import type { DescendantCursor } from '../store/image-store.js';

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

/** A cursor of the image list is the ID of the edge's image; anything else was not made here. */
export function parseCursor(cursor: string | null | undefined): string | null | undefined {
  if (cursor == null || isDigest(cursor)) return cursor;
  throw invalidCursor(cursor);
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
