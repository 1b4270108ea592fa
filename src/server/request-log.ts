import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

/** One request as the log line tells it. */
export interface RequestLine {
  method: string;
  path: string;
  status: number;
  operation?: string | undefined;
  started: number;
  codes: readonly string[];
}

/**
 * Writes one JSON line per request: method, path, status, operation name,
 * duration, error codes. Never variables (configs) or headers (tokens).
 */
export function logRequest(logger: Logger, request: RequestLine): void {
  const { method, path, status, operation, started, codes } = request;
  const line = {
    method,
    path,
    status,
    operation,
    ms: Math.round((performance.now() - started) * 10) / 10,
    ...(codes.length > 0 && { errors: codes }),
  };
  // Probes and scrapes are frequent and dull: only at debug level.
  if (path.startsWith('/health') || path === '/metrics') logger.debug(line, 'request');
  else logger.info(line, 'request');
}

interface Entry {
  started: number;
  operation?: string | undefined;
  codes: string[];
}

/** The request log of the requests yoga answers (the lean path logs its own). */
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
      logRequest(logger, {
        method: request.method,
        path: pathname,
        status: response.status,
        ...entry,
      });
    },
  };
}
