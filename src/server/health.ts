import type { Plugin } from 'graphql-yoga';
import type { Sql } from '../store/pool.js';

/** The paths of the probes: liveness is yoga's own, readiness and the report are here. */
export const LIVENESS_PATH = '/health/live';
const READINESS_PATH = '/health/ready';
const REPORT_PATH = '/health';

/** Whether the database answers a trivial query within the timeout, and why not. */
async function probe(
  sql: Sql,
  timeoutMs: number,
): Promise<{ database: 'reachable' } | { database: 'unreachable'; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`, timedOut]);
    return { database: 'reachable' };
  } catch (error) {
    return { database: 'unreachable', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes for load balancers and Kubernetes: /health/live answers 200 while the
 * process serves; /health/ready answers 503 while the database cannot be
 * reached, so traffic goes elsewhere; /health reports both and answers 200.
 */
export function useHealth(sql: Sql, timeoutMs: number): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (
        request.method !== 'GET' ||
        (url.pathname !== READINESS_PATH && url.pathname !== REPORT_PATH)
      )
        return;
      const report = await probe(sql, timeoutMs);
      const ready = report.database === 'reachable';
      const status = url.pathname === READINESS_PATH && !ready ? 503 : 200;
      endResponse(
        fetchAPI.Response.json({ status: ready ? 'ready' : 'unready', ...report }, { status }),
      );
    },
  };
}
