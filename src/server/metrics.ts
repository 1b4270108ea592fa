import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { Counter, collectDefaultMetrics, type Histogram, Registry } from 'prom-client';
import { statementsSent } from '../store/pool.js';
import type { Answered } from './lean-path.js';

// One registry for the process: memory, CPU and SQL statements are the process's own.
const registry = new Registry();
collectDefaultMetrics({ register: registry });
new Counter({
  name: 'imagestore_sql_statements_total',
  help: 'SQL statements sent to the database by this process.',
  registers: [registry],
  collect() {
    this.reset();
    this.inc(statementsSent());
  },
});

const HTTP_DURATION = 'graphql_yoga_http_duration';

/**
 * Prometheus metrics at /metrics: requests, their durations and errors, process figures, SQL
 * statements.
 */
export function useMetrics() {
  return usePrometheus({
    registry,
    endpoint: '/metrics',
    // The plugin turns on every metric it knows unless told otherwise. A
    // request's phases each had a histogram of their own, and the deprecated
    // field counter walked every document (this schema deprecates nothing):
    // together a sixth of the server's time on a small request.
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      [HTTP_DURATION]: true,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
    },
  });
}

/** Counts a request the lean path answered in the HTTP duration histogram, as yoga's are. */
export function observeHttp(request: Answered): void {
  const histogram = registry.getSingleMetric(HTTP_DURATION) as Histogram | undefined;
  histogram?.observe(
    {
      method: request.method,
      statusCode: request.status,
      operationType: request.operationType ?? 'unknown',
      operationName: request.operationName ?? 'Anonymous',
      url: request.url,
    },
    (performance.now() - request.started) / 1000,
  );
}
