import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshDatabase, serverUrl } from './support/database.js';
import { startProcess } from './support/process.js';
import { realConfig } from './support/real-configs.js';

const child = realConfig('0da9b7d7');
const parent = realConfig('1b2d7646');

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as any;
}

describe('restart', () => {
  it('when the server is stopped and started again on the same database, then everything is still there', async () => {
    // On a PostgreSQL server: a database of its own; embedded: a data directory of its own.
    const db = serverUrl ? await freshDatabase() : null;
    const dataDir = mkdtempSync(join(tmpdir(), 'imagestore-restart-'));
    const env = { DATABASE_URL: db?.url ?? '', IMAGESTORE_DATA_DIR: dataDir };
    try {
      const first = await startProcess(env);
      for (const config of [child, parent]) {
        await post(first.url, 'mutation ($c: String!) { createImage(config: $c) { image { id } } }', { c: config.raw });
      }
      await post(first.url, 'mutation ($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }', {
        id: child.id,
        p: parent.id,
      });
      assert.equal(await first.stop('SIGTERM'), 0, first.output());
      assert.match(first.output(), /writes are open to anyone/, 'with no write token, the startup log says so');

      const second = await startProcess(env);
      const answer = await post(second.url, 'query ($id: String!) { image(id: $id) { rawConfig parent { id } layers { chainId } } }', {
        id: child.id,
      });
      assert.equal(await second.stop('SIGINT'), 0, second.output());
      assert.equal(answer.data.image.rawConfig, child.raw);
      assert.equal(answer.data.image.parent.id, parent.id);
      assert.equal(answer.data.image.layers.length, 5);
    } finally {
      await db?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
