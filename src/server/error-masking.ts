import { GraphQLError } from 'graphql';
import { maskError as maskUnexpected } from 'graphql-yoga';
import type { Logger } from 'pino';
import { ImageStoreError } from '../domain/errors.js';
import { isConnectionFailure } from '../store/pool.js';

/** How long clients are told to wait before retrying while the database is away. */
const RETRY_AFTER_S = '1';

/**
 * The one place store errors become GraphQL errors. Expected ones keep their
 * message and code and are not logged (the request line names the code); a
 * database that is away is DATABASE_UNAVAILABLE with HTTP 503, so clients and
 * load balancers retry; anything else is logged with its stack and masked.
 */
export function errorMasker(logger: Logger) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    const located = error instanceof GraphQLError ? error : undefined;
    if (original instanceof ImageStoreError) {
      // The same error object back tells yoga that nothing was masked, so it logs nothing.
      if (located?.extensions.code === original.code) return located;
      return new GraphQLError(original.message, {
        nodes: located?.nodes,
        path: located?.path,
        extensions: original.extensions,
      });
    }
    if (isConnectionFailure(original)) {
      const { code, message: cause } = original as { code: string; message: string };
      logger.warn({ code, cause }, 'database unavailable');
      return new GraphQLError('The database is unavailable; try again shortly.', {
        nodes: located?.nodes,
        path: located?.path,
        extensions: {
          code: 'DATABASE_UNAVAILABLE',
          http: { status: 503, headers: { 'retry-after': RETRY_AFTER_S } },
        },
      });
    }
    if (original !== undefined && !(original instanceof GraphQLError))
      logger.error({ err: original }, 'unexpected error');
    return maskUnexpected(error, message, isDev);
  };
}
