import { GraphQLError } from 'graphql';
import { maskError as maskUnexpected } from 'graphql-yoga';
import { ImageStoreError } from '../domain/errors.js';

/** Where unexpected errors are reported before clients see them masked. */
export type ErrorLog = (error: unknown) => void;

/**
 * The one place store errors become GraphQL errors: expected ones keep their
 * message and gain their code; anything else is logged and masked.
 */
export function errorMasker(log: ErrorLog) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof ImageStoreError) {
      const located = error instanceof GraphQLError ? error : undefined;
      return new GraphQLError(original.message, {
        nodes: located?.nodes,
        path: located?.path,
        extensions: { code: original.code },
      });
    }
    if (original !== undefined && !(original instanceof GraphQLError)) log(original);
    return maskUnexpected(error, message, isDev);
  };
}
