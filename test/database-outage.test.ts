import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { clusterUnavailable, startCluster, type Cluster } from './support/cluster.js';
import { serverUrl } from './support/database.js';
import { startProcess, type ServerProcess } from './support/process.js';

// The server's connect timeout in this file; answers must come within it and a second more.
const TIMEOUT_S = 2;
const LIMIT_MS = TIMEOUT_S * 1000 + 1000;
const CREATE = 'mutation ($c: String!) { createImage(config: $c) { image { id } } }';

/** Posts a query and gives the status, the Retry-After header, the body and how long it took. */
async function post(url: string, query: string, variables: Record<string, unknown> = {}) {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body, ms: performance.now() - started };
}

async function probe(url: string, path: string) {
  const response = await fetch(new URL(path, url));
  return { status: response.status, body: response.status === 200 && path === '/health/live' ? null : await response.json() };
}

// A cluster of its own, whatever the backend under test: it runs once, in the PostgreSQL pass.
const skip = clusterUnavailable() ?? (serverUrl === null && 'runs once, in the PostgreSQL pass of npm test');

describe('when the database goes away', { skip }, () => {
  let cluster: Cluster;
  let server: ServerProcess;
  before(async () => {
    cluster = await startCluster();
    server = await startProcess({ DATABASE_URL: cluster.url, IMAGESTORE_DATABASE_TIMEOUT: String(TIMEOUT_S) });
  });
  after(async () => {
    await server?.stop();
    await cluster?.remove();
  });

  it('then requests fail fast with DATABASE_UNAVAILABLE and HTTP 503, the probes say so, and the next request after it is back succeeds', async () => {
    const stored = await post(server.url, CREATE, { c: makeConfig(['before the outage']) });
    assert.equal(stored.body.errors, undefined);
    assert.deepEqual(await probe(server.url, '/health/ready'), { status: 200, body: { status: 'ready', database: 'reachable' } });

    await cluster.stop();
    // Many at once, reads and writes: none queues behind another's reconnects.
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 2 === 0
          ? post(server.url, 'query ($id: String!) { image(id: $id) { id } }', { id: stored.body.data.createImage.image.id })
          : post(server.url, CREATE, { c: makeConfig([`during the outage ${i}`]) }),
      ),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 503, JSON.stringify(answer.body));
      assert.equal(answer.retryAfter, '1');
      assert.deepEqual(answer.body.errors?.map((error) => error.extensions?.code), ['DATABASE_UNAVAILABLE']);
      assert.ok(answer.ms < LIMIT_MS, `answered after ${Math.round(answer.ms)} ms`);
    }
    const ready = await probe(server.url, '/health/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.database, 'unreachable');
    const report = await probe(server.url, '/health');
    assert.equal(report.status, 200, 'the process itself is alive');
    assert.equal(report.body.database, 'unreachable');
    assert.equal((await probe(server.url, '/health/live')).status, 200);

    await cluster.start();
    const back = await post(server.url, CREATE, { c: makeConfig(['after the outage']) });
    assert.equal(back.body.errors, undefined, JSON.stringify(back.body));
    assert.equal((await probe(server.url, '/health/ready')).status, 200);
    // Expected failures are the request lines' business, not error lines with stacks.
    assert.doesNotMatch(server.output(), /"level":50/);
  });
});
