/** Stable codes that clients can branch on; they never change meaning. */
export type ErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_ID'
  | 'INVALID_REFERENCE'
  | 'NOT_FOUND'
  | 'AMBIGUOUS_ID'
  | 'CYCLE'
  | 'BAD_USER_INPUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'QUERY_TOO_COMPLEX'
  | 'EVENTS_EXPIRED'
  | 'DATABASE_UNAVAILABLE';

/** An expected failure: shown to the client with its code, unlike unexpected errors. */
export abstract class ImageStoreError extends Error {
  abstract readonly code: ErrorCode;
  /** GraphQL copies these onto the error it wraps this in: the code travels with it. */
  get extensions(): { code: ErrorCode } {
    return { code: this.code };
  }
}

/** The config is not a valid image config; nothing was written. */
export class InvalidConfigError extends ImageStoreError {
  readonly code = 'INVALID_CONFIG';
}

/** The ID is neither a digest nor a hex prefix of one. */
export class InvalidIdError extends ImageStoreError {
  readonly code = 'INVALID_ID';
}

/** A name that is not a valid image reference; the message says why. Nothing was written. */
export class InvalidReferenceError extends ImageStoreError {
  readonly code = 'INVALID_REFERENCE';
}

/** Nothing matches the ID that was asked for. */
export class NotFoundError extends ImageStoreError {
  readonly code = 'NOT_FOUND';
  constructor(kind: 'image' | 'layer', asked: string) {
    super(`No such ${kind}: ${asked}`);
  }
}

/** A prefix that matches more than one ID. */
export class AmbiguousIdError extends ImageStoreError {
  readonly code = 'AMBIGUOUS_ID';
  constructor(kind: 'image' | 'layer', asked: string) {
    super(`ID prefix "${asked}" is ambiguous: it matches more than one ${kind}`);
  }
}

/** A parent link that would make an image its own ancestor. */
export class CycleError extends ImageStoreError {
  readonly code = 'CYCLE';
  constructor(id: string, parent: string) {
    super(`setting the parent of ${id} to ${parent} would make a cycle`);
  }
}

/** An argument outside what the field accepts, such as a page size or a cursor. */
export class BadInputError extends ImageStoreError {
  readonly code = 'BAD_USER_INPUT';
}

/** A config larger than the server accepts. */
export class PayloadTooLargeError extends ImageStoreError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** A query whose estimated cost is over the server's limit. */
export class QueryTooComplexError extends ImageStoreError {
  readonly code = 'QUERY_TOO_COMPLEX';
}

/**
 * Events from before the asked-for point were removed by retention: reading
 * from there would skip some. Resuming from `oldestCursor` reads all that is kept.
 */
export class EventsExpiredError extends ImageStoreError {
  readonly code = 'EVENTS_EXPIRED' as const;
  constructor(readonly oldestCursor: string) {
    super(`events from before ${oldestCursor} are no longer kept; resume from there`);
  }
  override get extensions() {
    return { code: this.code, oldestCursor: this.oldestCursor };
  }
}

/** A setting or a database that cannot work; its message says which and what to do. */
export class ConfigError extends Error {}
