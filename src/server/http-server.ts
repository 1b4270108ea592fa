import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import { defaultAppSettings } from '../config.js';
import { EventHub } from '../events/event-hub.js';
import { sharesOneSession } from '../store/pool.js';
import { type AppOptions, createApp } from './app.js';
import { errorMasker } from './error-masking.js';
import { withExplorer } from './explorer.js';
import { withLeanPath } from './lean-path.js';
import { observeHttp } from './metrics.js';
import { logRequest } from './request-log.js';
import { serveWebSockets } from './web-sockets.js';

/** The HTTP server with everything it serves, and how to stop what it runs. */
export interface HttpServer {
  server: Server;
  events: EventHub;
  /** Ends subscriptions and WebSockets; the caller closes the server itself. */
  close(): Promise<void>;
}

/**
 * The app over HTTP: GraphQL and GraphiQL, subscriptions over Server-Sent
 * Events and over WebSocket, fed by this process's one event hub, and the
 * explorer page at / unless it is turned off.
 */
export function createHttpServer(options: AppOptions): HttpServer {
  const logger = options.logger ?? pino();
  const defaults = defaultAppSettings();
  const events = new EventHub(options.sql, {
    logger,
    retentionSeconds: options.settings?.eventRetention ?? defaults.eventRetention,
    listen: !sharesOneSession(options.sql),
  });
  const yoga = createApp({ ...options, logger, events });
  const bodyBytes = options.settings?.limits?.bodyBytes ?? defaults.limits.bodyBytes;
  const cors = (options.settings?.corsOrigins ?? defaults.corsOrigins).length > 0;
  const graphql = withLeanPath(yoga, {
    bodyBytes,
    cors,
    maskError: errorMasker(logger),
    answered(request) {
      logRequest(logger, { ...request, operation: request.requested, codes: request.errorCodes });
      observeHttp(request);
    },
  });
  const explorer = options.settings?.explorer ?? defaults.explorer;
  const server = createServer(explorer ? withExplorer(graphql, logger) : graphql);
  const sockets = serveWebSockets(server, yoga, bodyBytes);
  return {
    server,
    events,
    async close() {
      await events.close();
      await sockets.close();
    },
  };
}
