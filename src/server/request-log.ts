import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

interface Entry {
  started: number;
  operation?: string | undefined;
  codes: string[];
}

/**
 * One JSON line per request: method, path, status, operation name, duration,
 * error codes. Never variables (configs) or headers (tokens).
 */
export function useRequestLog(logger: Logger): Plugin {
  const entries = new WeakMap<Request, Entry>();
  return {
    onRequest({ request }) {
      entries.set(request, { started: performance.now(), codes: [] });
    },
    onParams({ request, params }) {
      const entry = entries.get(request);
      if (entry) entry.operation = params.operationName ?? undefined;
    },
    onResultProcess({ request, result }) {
      const entry = entries.get(request);
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of (one as { errors?: readonly { extensions?: { code?: unknown } }[] })
          .errors ?? []) {
          entry?.codes.push(String(error.extensions?.code ?? 'GRAPHQL_ERROR'));
        }
      }
    },
    onResponse({ request, response }) {
      const entry = entries.get(request);
      if (!entry) return;
      const { pathname } = new URL(request.url);
      const line = {
        method: request.method,
        path: pathname,
        status: response.status,
        operation: entry.operation,
        ms: Math.round((performance.now() - entry.started) * 10) / 10,
        ...(entry.codes.length > 0 && { errors: entry.codes }),
      };
      // Probes and scrapes are frequent and dull: only at debug level.
      if (pathname.startsWith('/health') || pathname === '/metrics') logger.debug(line, 'request');
      else logger.info(line, 'request');
    },
  };
}
