import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { AppOptions } from '../../src/server/app.js';
import { createHttpServer } from '../../src/server/http-server.js';
import type { Sql } from '../../src/store/pool.js';

/** A GraphQL answer as a client sees it. */
export interface Answer<T = any> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string } }[];
}

/** The app served over real HTTP on a free loopback port. */
export async function startServer(sql: Sql, settings: AppOptions['settings'] = {}) {
  // The server's log lines, parsed: tests read what it logged.
  const lines: Record<string, any>[] = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line)) };
  const logger = pino({ level: 'debug' }, destination);
  const http = createHttpServer({ sql, logger, settings });
  const { server } = http;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    lines,
    /** Unexpected errors the server logged. */
    get errors() {
      return lines.filter((line) => line.msg === 'unexpected error').map((line) => line.err);
    },
    async gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<Answer<T>> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as Answer<T>;
    },
    events: http.events,
    async close() {
      await http.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
