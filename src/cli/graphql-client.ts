/** An error a GraphQL server answered with: its message and stable code. */
export interface AnsweredError {
  message: string;
  code: string | undefined;
  path?: readonly (string | number)[];
}

/** A request the server refused as a whole (HTTP status, or errors without data). */
export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly errors: readonly AnsweredError[] = [],
  ) {
    super(message);
  }
}

/**
 * A client for one running server's GraphQL endpoint, as the commands use
 * it: the token goes as a bearer token; an answer with errors and no data
 * throws RequestFailed with them.
 */
export function graphqlClient(url: string, token: string | undefined) {
  return async function request<T>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data: T; errors: AnsweredError[] }> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new RequestFailed(`cannot reach ${url}: ${(error as Error).cause ?? error}`);
    }
    const text = await response.text();
    let answer: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      answer = JSON.parse(text);
    } catch {
      throw new RequestFailed(`${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    const errors = (answer.errors ?? []).map((error) => ({
      message: error.message,
      code: error.extensions?.code,
      path: (error as { path?: (string | number)[] }).path,
    }));
    if (answer.data == null) {
      const first = errors[0];
      throw new RequestFailed(
        first
          ? `${first.message}${first.code ? ` (${first.code})` : ''}`
          : `HTTP ${response.status}`,
        errors,
      );
    }
    return { data: answer.data, errors };
  };
}

/** The GraphQL client type. */
export type GraphqlRequest = ReturnType<typeof graphqlClient>;
