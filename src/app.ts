import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga } from 'graphql-yoga';
import { createContext } from './context.js';
import { errorMasker, type ErrorLog } from './errors.js';
import { useMetrics } from './metrics.js';
import { schema } from './schema/index.js';
import type { Sql } from './store/database.js';
import { createImageStore, DEFAULT_MAX_TREE_DEPTH } from './store/image-store.js';

// What GraphiQL shows first: the heads of the store with their ancestry and layers.
const DEFAULT_QUERY = `# Images without children, with their ancestry and layers.
# createImage, setParent and deleteImage are under Mutation in the docs.
{
  images(first: 20, headsOnly: true) {
    totalCount
    edges {
      node {
        id
        shortId
        architecture
        os
        created
        ancestors { shortId }
        layers { chainId diffId }
      }
    }
  }
}
`;

/** What the HTTP app is built from. */
export interface AppOptions {
  sql: Sql;
  logError?: ErrorLog;
  /** The depth cap of tree walks; Docker's 125 by default. */
  maxTreeDepth?: number;
}

/** The GraphQL app at /graphql, with GraphiQL served from this server itself; no socket. */
export function createApp({
  sql,
  logError = (error) => console.error(error),
  maxTreeDepth = DEFAULT_MAX_TREE_DEPTH,
}: AppOptions) {
  const store = createImageStore(sql, { maxTreeDepth });
  return createYoga({
    schema,
    context: () => createContext(store),
    graphiql: { title: 'Image store', defaultQuery: DEFAULT_QUERY },
    renderGraphiQL,
    maskedErrors: { maskError: errorMasker(logError) },
    landingPage: false,
    plugins: [useGraphQlJit(), useMetrics()],
  });
}
