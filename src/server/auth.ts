import { createHash, timingSafeEqual } from 'node:crypto';
import { type DocumentNode, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** The tokens that guard the API; null leaves that side open. */
export interface Tokens {
  writeToken: string | null;
  readToken: string | null;
}

/**
 * Mutations need the write token when one is set; queries need the read
 * token (or the write token) when one is set. Tokens are compared in constant
 * time and never logged.
 */
export function useTokens({ writeToken, readToken }: Tokens): Plugin {
  if (writeToken === null && readToken === null) return {};
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { contextValue: unknown; document: DocumentNode; operationName?: string | null };
    setResultAndStopExecution: (result: ExecutionResult) => void;
  }) => {
    const { request } = args.contextValue as { request: Request };
    const presented =
      /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? null;
    const isWrite = getOperationAST(args.document, args.operationName)?.operation === 'mutation';
    // Open when the token this operation needs is not set; the write token also reads.
    if ((isWrite ? writeToken : readToken) === null) return;
    const accepted = isWrite ? [writeToken] : [readToken, writeToken];
    if (presented !== null && accepted.some((token) => token !== null && same(presented, token)))
      return;
    setResultAndStopExecution({
      errors: [
        new GraphQLError(
          isWrite
            ? 'This server needs a write token: send Authorization: Bearer <token>'
            : 'This server needs a read token: send Authorization: Bearer <token>',
          { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } },
        ),
      ],
    });
  };
  // Subscriptions are reads: over SSE and over WebSocket alike.
  return { onExecute: check, onSubscribe: check };
}

/** Equal, in a time that does not depend on where the two differ or on their lengths. */
function same(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
