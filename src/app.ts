import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import { createContext } from './context.js';
import { errorMasker, type ErrorLog } from './errors.js';
import { schema } from './schema/index.js';
import type { Sql } from './store/database.js';
import { createImageStore } from './store/image-store.js';

/** What the HTTP app is built from. */
export interface AppOptions {
  sql: Sql;
  logError?: ErrorLog;
}

/** The GraphQL app at /graphql, with GraphiQL served from this server itself; no socket. */
export function createApp({ sql, logError = (error) => console.error(error) }: AppOptions) {
  const store = createImageStore(sql);
  return createYoga({
    schema,
    context: () => createContext(store),
    graphiql: { title: 'Image store' },
    renderGraphiQL,
    maskedErrors: { maskError: errorMasker(logError) },
    landingPage: false,
  });
}
