import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { statementsSent } from '../store/pool.js';

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

/**
 * Prometheus metrics at /metrics: requests, their durations and errors, process figures, SQL
 * statements.
 */
export function useMetrics() {
  return usePrometheus({
    registry,
    endpoint: '/metrics',
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: true,
    },
  });
}
