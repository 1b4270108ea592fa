import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshDatabase, serverUrl } from './support/database.js';
import { post } from './support/http.js';
import { startProcess } from './support/process.js';
import { realConfig } from './support/real-configs.js';

const child = realConfig('0da9b7d7');
const parent = realConfig('1b2d7646');

const CREATE = 'mutation ($c: String!) { createImage(config: $c) { image { id } } }';
const SET_PARENT =
  'mutation ($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }';
const READ =
  'query ($id: String!) { image(id: $id) { rawConfig parent { id } layers { chainId } } }';

describe('restart', () => {
  it('when the server restarts on the same database, then everything is still there', async () => {
    // On a PostgreSQL server: a database of its own; embedded: a data directory of its own.
    const db = serverUrl ? await freshDatabase() : null;
    const dataDir = mkdtempSync(join(tmpdir(), 'imagestore-restart-'));
    const env = { DATABASE_URL: db?.url ?? '', IMAGESTORE_DATA_DIR: dataDir };
    try {
      const first = await startProcess(env);
      for (const config of [child, parent]) {
        await post(first.url, { query: CREATE, variables: { c: config.raw } });
      }
      await post(first.url, { query: SET_PARENT, variables: { id: child.id, p: parent.id } });
      assert.equal(await first.stop('SIGTERM'), 0, first.output());
      assert.match(
        first.output(),
        /writes are open to anyone/,
        'with no write token, the startup log says so',
      );

      const second = await startProcess(env);
      const read = await post(second.url, { query: READ, variables: { id: child.id } });
      assert.equal(await second.stop('SIGINT'), 0, second.output());
      const { image } = read.json.data;
      assert.equal(image.rawConfig, child.raw);
      assert.equal(image.parent.id, parent.id);
      assert.equal(image.layers.length, 5);
    } finally {
      await db?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
