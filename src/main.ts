import type { Server } from 'node:http';
import { pino } from 'pino';
import { reportFailure } from './cli/command.js';
import { ConfigError, readConfig } from './config.js';
import { createHttpServer, type HttpServer } from './server/http-server.js';
import { migrate } from './store/migrate.js';
import { type Database, openDatabase } from './store/open-database.js';

// In-flight requests get this long to finish when the server is asked to stop.
const DRAIN_MS = 10_000;

async function main(): Promise<void> {
  const config = readConfig();
  const database = await openDatabase(config);
  try {
    await migrate(database.sql);
    const logger = pino({ level: config.logLevel });
    const http = createHttpServer({ sql: database.sql, logger, settings: config });
    const { server } = http;
    await listen(server, config.port, config.host);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    console.log(
      `imagestore: serving GraphQL and GraphiQL at http://${config.host}:${port}/graphql`,
    );
    console.log(`imagestore: database: ${database.description}`);
    if (config.writeToken === null)
      console.log(
        'imagestore: writes are open to anyone who can reach the server (set ' +
          'IMAGESTORE_WRITE_TOKEN to require a token)',
      );
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void shutdown(http, database, signal));
    }
  } catch (error) {
    await database.close();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new ConfigError(
              `cannot listen on ${host}:${port} (${error.code}); set PORT or HOST to a free ` +
                `address`,
            )
          : error,
      );
    });
    server.listen(port, host, resolve);
  });
}

/**
 * Stops taking requests, ends subscriptions, lets in-flight requests finish
 * (bounded), then closes the database.
 */
async function shutdown(http: HttpServer, database: Database, signal: string): Promise<void> {
  console.log(`imagestore: ${signal}: shutting down`);
  const { server } = http;
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await http.close();
  const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  await drained;
  clearTimeout(timer);
  await database.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  reportFailure(error);
  process.exit(1);
});
