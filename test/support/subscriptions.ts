import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

/** The two transports a subscription runs over. */
export type Transport = 'sse' | 'ws';

/** A subscription's answers as they came, until it ended or was stopped. */
export interface Subscription {
  /** Each answer's data (the subscription field's value). */
  events: any[];
  /** Errors answered, or that ended it. */
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** Settles when the server ended the subscription or it failed. */
  ended: Promise<void>;
  stop(): void;
  /** Waits until `count` events have come, or fails after `ms`. */
  received(count: number, ms?: number): Promise<void>;
}

/**
 * Subscribes with the transport's maintained client library: graphql-sse
 * (the GraphQL over SSE protocol) or graphql-ws (GraphQL over WebSocket).
 */
export function subscribe(
  transport: Transport,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = null,
): Subscription {
  const events: Subscription['events'] = [];
  const errors: Subscription['errors'] = [];
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const sink = {
    next(result: any) {
      if (result.errors) errors.push(...result.errors);
      const value = result.data ? Object.values(result.data)[0] : undefined;
      if (value !== undefined && value !== null) events.push(value);
    },
    async error(error: unknown) {
      // graphql-sse fails a refused request (an HTTP error status) with the
      // response, whose body holds the GraphQL errors: as JSON, or as an event stream.
      const response = (error as { response?: Response }).response;
      const text = response ? await response.text().catch(() => '') : '';
      const json = /^data: (\{.*\})$/m.exec(text)?.[1] ?? (text.startsWith('{') ? text : null);
      const body = json === null ? null : JSON.parse(json);
      const list = body?.errors ?? (Array.isArray(error) ? error : [error]);
      errors.push(...list.map((e: any) => ({ message: String(e?.message ?? e), ...e })));
      end();
    },
    complete: () => end(),
  };
  const authorization = token === null ? undefined : `Bearer ${token}`;
  let unsubscribe: () => void;
  let dispose = () => {};
  if (transport === 'sse') {
    const client = createSseClient({
      url,
      headers: authorization ? { authorization } : {},
      retryAttempts: 0,
    });
    unsubscribe = client.subscribe({ query, variables }, sink);
    dispose = () => client.dispose();
  } else {
    const client = createWsClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { authorization } : {},
      retryAttempts: 0,
    });
    unsubscribe = client.subscribe({ query, variables }, sink);
    dispose = () => void client.dispose();
  }
  return {
    events,
    errors,
    ended,
    stop() {
      unsubscribe();
      dispose();
      end();
    },
    async received(count, ms = 10_000) {
      const deadline = performance.now() + ms;
      while (events.length < count) {
        if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        if (performance.now() > deadline) {
          throw new Error(`${events.length} of ${count} events came within ${ms} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
