import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from './support/process.js';
import { realConfig } from './support/real-configs.js';

describe('graceful shutdown', () => {
  it('when SIGTERM comes mid-request, then it completes, new ones fail, clean exit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'imagestore-shutdown-'));
    try {
      const server = await startProcess({ DATABASE_URL: '', IMAGESTORE_DATA_DIR: dataDir });
      const body = JSON.stringify({
        query: 'mutation ($c: String!) { createImage(config: $c) { image { id } } }',
        variables: { c: realConfig('187f89fb').raw },
      });
      // A client still sending its body when the signal arrives.
      let answer = '';
      const req = request(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      const status = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.on('data', (chunk) => (answer += chunk));
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
      });
      req.write(body.slice(0, 40));
      await sleep(300);

      const exited = server.stop('SIGTERM');
      await sleep(300);
      await assert.rejects(
        fetch(server.url, { method: 'POST', body: '{}' }),
        'a new connection is refused',
      );
      req.end(body.slice(40));
      assert.equal(await status, 200);
      assert.equal(JSON.parse(answer).data.createImage.image.id, realConfig('187f89fb').id);
      assert.equal(await exited, 0, server.output());

      const again = await startProcess({ DATABASE_URL: '', IMAGESTORE_DATA_DIR: dataDir });
      const response = await fetch(again.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ images { totalCount } }' }),
      });
      assert.deepEqual(await response.json(), { data: { images: { totalCount: 1 } } });
      assert.equal(await again.stop('SIGINT'), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
