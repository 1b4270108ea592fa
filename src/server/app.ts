import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { type GraphQLError, getOperationAST, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { type Logger, pino } from 'pino';
import { type AppSettings, defaultAppSettings, type Limits } from '../config.js';
import type { EventHub } from '../events/event-hub.js';
import { schema } from '../schema/index.js';
import { createImageStore } from '../store/image-store.js';
import type { Sql } from '../store/pool.js';
import { useTokens } from './auth.js';
import { createContext } from './context.js';
import { errorMasker } from './error-masking.js';
import { LIVENESS_PATH, useHealth } from './health.js';
import { useMetrics } from './metrics.js';
import { useRequestLog } from './request-log.js';

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

/** Gives a limit's rejection a stable code, as every expected error has. */
function withCode(code: string) {
  return (_context: unknown, error: GraphQLError) => {
    (error.extensions as Record<string, unknown>).code = code;
  };
}

/**
 * Yoga's own lines go to the request's logger, but for the errors it logs
 * whenever the masker replaced one: the masker logs those itself, once, at
 * the level they deserve.
 */
function yogaLogging(logger: Logger) {
  return {
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    warn: logger.warn.bind(logger),
    error: () => {},
  };
}

/**
 * Refuses schema introspection in validation, where every transport (a POST,
 * Server-Sent Events, a WebSocket) passes alike.
 */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/** After a mutation has run (its transactions committed), the hub reads what it wrote. */
function useWakeOnWrite(events: EventHub): Plugin {
  return {
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      return { onExecuteDone: () => events.wake() };
    },
  };
}

/** What the HTTP app is built from. */
export interface AppOptions {
  sql: Sql;
  logger?: Logger;
  /** Settings to change from the defaults; limits may be given one by one. */
  settings?: Partial<Omit<AppSettings, 'limits'>> & { limits?: Partial<Limits> };
}

/**
 * The GraphQL app at /graphql, with GraphiQL served from this server itself;
 * no socket. Subscriptions read the event hub, which each mutation wakes as
 * it completes, so that this process's own writes reach its subscribers at once.
 */
export function createApp({
  sql,
  logger = pino(),
  settings = {},
  events,
}: AppOptions & { events: EventHub }) {
  const defaults = defaultAppSettings();
  const { maxTreeDepth, introspection, corsOrigins, writeToken, readToken, databaseTimeout } = {
    ...defaults,
    ...settings,
  };
  const limits = { ...defaults.limits, ...settings.limits };
  const store = createImageStore(sql, { maxTreeDepth });
  return createYoga({
    schema,
    context: () => createContext(store, limits, events),
    graphiql: {
      title: 'Image store',
      defaultQuery: DEFAULT_QUERY,
      // Its own SSE mode subscribes with a GET, which CSRF prevention turns away.
      subscriptionsProtocol: 'WS',
    },
    renderGraphiQL,
    landingPage: false,
    healthCheckEndpoint: LIVENESS_PATH,
    logging: yogaLogging(logger),
    maskedErrors: { maskError: errorMasker(logger) },
    maxRequestBodySize: limits.bodyBytes,
    cors: corsOrigins.length > 0 ? { origin: corsOrigins } : false,
    plugins: [
      useRequestLog(logger),
      useHealth(sql, databaseTimeout * 1000),
      useMetrics(),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...(introspection ? [] : [useNoIntrospection()]),
      EnvelopArmorPlugin({
        maxDepth: { n: limits.depth, onReject: [withCode('QUERY_TOO_DEEP')] },
        maxAliases: { n: limits.aliases, onReject: [withCode('TOO_MANY_ALIASES')] },
        maxDirectives: { n: limits.directives, onReject: [withCode('TOO_MANY_DIRECTIVES')] },
        maxTokens: { n: limits.tokens, onReject: [withCode('TOO_MANY_TOKENS')] },
        // The cost limit is Pothos's, which knows how long each list is expected to be.
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: !introspection },
      }),
      useTokens({ writeToken, readToken }),
      useWakeOnWrite(events),
      useGraphQlJit(),
    ],
  });
}
