import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Cluster, clusterUnavailable, startCluster } from './support/cluster.js';
import { makeConfig } from './support/configs.js';
import { serverUrl } from './support/database.js';
import { post } from './support/http.js';
import { type ServerProcess, startProcess } from './support/process.js';

// The server's connect timeout in this file; answers must come within it and a second more.
const TIMEOUT_S = 2;
const LIMIT_MS = TIMEOUT_S * 1000 + 1000;
const CREATE = 'mutation ($c: String!) { createImage(config: $c) { image { id } } }';
const READ = 'query ($id: String!) { image(id: $id) { id } }';
const creating = (c: string) => ({ query: CREATE, variables: { c } });

async function probe(url: string, path: string) {
  const response = await fetch(new URL(path, url));
  return {
    status: response.status,
    body: response.status === 200 && path === '/health/live' ? null : await response.json(),
  };
}

// A cluster of its own, whatever the backend under test: it runs once, in the PostgreSQL pass.
const skip =
  clusterUnavailable() ?? (serverUrl === null && 'runs once, in the PostgreSQL pass of npm test');

describe('when the database goes away', { skip }, () => {
  let cluster: Cluster;
  let server: ServerProcess;
  before(async () => {
    cluster = await startCluster();
    server = await startProcess({
      DATABASE_URL: cluster.url,
      IMAGESTORE_DATABASE_TIMEOUT: String(TIMEOUT_S),
    });
  });
  after(async () => {
    await server?.stop();
    await cluster?.remove();
  });

  it('then requests fail fast (503 DATABASE_UNAVAILABLE), probes say so, and recover', async () => {
    const stored = await post(server.url, creating(makeConfig(['before the outage'])));
    assert.equal(stored.json.errors, undefined);
    assert.deepEqual(await probe(server.url, '/health/ready'), {
      status: 200,
      body: { status: 'ready', database: 'reachable' },
    });

    const id = stored.json.data.createImage.image.id;
    await cluster.stop();
    // Many at once, reads and writes: none queues behind another's reconnects.
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 2 === 0
          ? post(server.url, { query: READ, variables: { id } })
          : post(server.url, creating(makeConfig([`during the outage ${i}`]))),
      ),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 503, JSON.stringify(answer.json));
      assert.equal(answer.headers.get('retry-after'), '1');
      const codes = answer.json.errors?.map((error: any) => error.extensions?.code);
      assert.deepEqual(codes, ['DATABASE_UNAVAILABLE']);
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
    const back = await post(server.url, creating(makeConfig(['after the outage'])));
    assert.equal(back.json.errors, undefined, JSON.stringify(back.json));
    assert.equal((await probe(server.url, '/health/ready')).status, 200);
    // Expected failures are the request lines' business, not error lines with stacks.
    assert.doesNotMatch(server.output(), /"level":50/);
  });
});
