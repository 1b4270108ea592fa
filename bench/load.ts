import { Pool } from 'undici';

/** What one case measured. */
export interface Measured {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** The latency percentiles and rate of a set of timings (milliseconds) over a wall time. */
export function summarize(timings: number[], wallMs: number): Measured {
  const sorted = [...timings].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    requests: sorted.length,
    perSecond: (sorted.length / wallMs) * 1000,
    p50: at(0.5),
    p99: at(0.99),
  };
}

/**
 * Runs `work` from `concurrency` workers until `seconds` pass or `limit`
 * calls are made, and times each call.
 */
export async function drive(
  concurrency: number,
  seconds: number,
  work: (call: number) => Promise<void>,
  limit = Infinity,
): Promise<Measured> {
  const timings: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let calls = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline && calls < limit) {
        const call = calls++;
        const t0 = performance.now();
        await work(call);
        timings.push(performance.now() - t0);
      }
    }),
  );
  return summarize(timings, performance.now() - started);
}

/** A keep-alive HTTP client for one GraphQL endpoint. */
export function graphqlClient(url: string, connections: number) {
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections, pipelining: 1 });
  return {
    // biome-ignore lint/suspicious/noExplicitAny: the cases read the answers they asked for
    async post(query: string, variables?: Record<string, unknown>): Promise<any> {
      const response = await pool.request({
        path: pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.body.json()) as { data?: unknown; errors?: unknown[] };
      if (body.errors)
        throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
      return body.data;
    },
    async text(path: string): Promise<string> {
      const response = await pool.request({ path, method: 'GET' });
      return response.body.text();
    },
    close: () => pool.close(),
  };
}
