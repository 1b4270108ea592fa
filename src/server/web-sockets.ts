import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';

// What yoga's envelop gives each operation to run it with its plugins.
type Enveloped = ExecutionArgs & {
  rootValue: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
};

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the HTTP server's
 * GraphQL path, beside Server-Sent Events. Operations run through yoga's
 * envelop, so limits, tokens and the compiled executor apply as over HTTP.
 * A token comes as `authorization: "Bearer …"` in the connection parameters.
 */
export function serveWebSockets(
  server: Server,
  // biome-ignore lint/suspicious/noExplicitAny: any yoga app, whatever its contexts
  yoga: YogaServerInstance<any, any>,
  maxPayload: number,
): { close(): Promise<void> } {
  // A message is held to the request body limit, as a POST is. The server's
  // upgrades are handed over here rather than the server itself: its own
  // errors (a port in use) stay its listener's to report.
  const sockets = new WebSocketServer({ noServer: true, maxPayload });
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== yoga.graphqlEndpoint) {
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });
  const disposable = useServer(
    {
      execute: (args) => (args as Enveloped).rootValue.execute(args) as never,
      subscribe: (args) => (args as Enveloped).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const authorization = ctx.connectionParams?.authorization;
        // What the HTTP plugins read of a request: its headers.
        const request = new Request(`http://localhost${yoga.graphqlEndpoint}`, {
          headers: typeof authorization === 'string' ? { authorization } : {},
        });
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          request,
          params,
        });
        const args: Enveloped = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    sockets,
  );
  return {
    async close() {
      await disposable.dispose();
    },
  };
}
