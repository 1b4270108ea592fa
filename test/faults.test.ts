import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openEmbeddedDatabase, openServerDatabase } from '../src/store/open-database.js';
import { connect } from '../src/store/pool.js';
import { verifyStore } from '../src/store/verify.js';
import { makeConfig } from './support/configs.js';
import { freshDatabase, serverUrl } from './support/database.js';
import { post } from './support/http.js';
import { startProcess } from './support/process.js';

const CREATE =
  'mutation ($c: String!, $p: String) { createImage(config: $c, parent: $p) { image { id } } }';

/** Posts to a server and tells whether the answer was JSON with no errors. */
async function succeeds(
  url: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<boolean> {
  try {
    const { json } = await post(url, { query, variables });
    return json !== null && !json.errors;
  } catch {
    return false;
  }
}

/** Writers that build chains of images until told to stop; returns how many writes failed. */
function bulkLoad(url: string, writers: number) {
  let stopped = false;
  const counts = { ok: 0, failed: 0 };
  const done = Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      let parent: string | null = null;
      for (let n = 0; !stopped; n++) {
        const layers = [
          `w${writer}`,
          ...Array.from({ length: n % 6 }, (_, i) => `w${writer}-${n}-${i}`),
        ];
        const config = makeConfig(layers, `writer ${writer} image ${n}`);
        const ok = await succeeds(url, CREATE, { c: config, p: n % 6 === 0 ? null : parent });
        counts[ok ? 'ok' : 'failed']++;
        if (ok) parent = null;
      }
    }),
  );
  const stop = async () => {
    stopped = true;
    await done;
  };
  return { counts, stop };
}

describe('faults', () => {
  const noBackends =
    serverUrl === null && 'the embedded database has no server sessions to terminate';
  it('when backends are killed mid-traffic, then requests fail cleanly and the server recovers', {
    skip: noBackends,
  }, async () => {
    const db = await freshDatabase();
    const server = await startProcess({ DATABASE_URL: db.url! });
    const admin = connect(serverUrl!, { max: 1 });
    const name = new URL(db.url!).pathname.slice(1);
    try {
      const load = bulkLoad(server.url, 4);
      for (let i = 0; i < 5; i++) {
        await sleep(300);
        await admin`
          select pg_terminate_backend(pid) from pg_stat_activity
          where datname = ${name} and pid <> pg_backend_pid()`;
      }
      await load.stop();
      assert.ok(load.counts.ok > 0, 'writes went through between the faults');
      // Recovered: once the last terminations have landed, every request succeeds again, with no
      // restart.
      await sleep(500);
      for (let i = 0; i < 10; i++) {
        const ok = await succeeds(server.url, CREATE, { c: makeConfig([`after ${i}`]), p: null });
        assert.ok(
          ok,
          `request ${i} after the faults:\n${server
            .output()
            .split('\n')
            .filter((l) => !l.includes('"msg":"request"'))
            .slice(-12)
            .join('\n')}`,
        );
      }
      assert.equal(server.child.exitCode, null, 'the server is still running');
      assert.deepEqual(await verifyStore(db.sql), []);
      assert.equal(await server.stop(), 0, server.output());
    } finally {
      await admin.end();
      await db.close();
    }
  });

  it('when SIGKILL hits a bulk load, then after restart every stored image is whole', async () => {
    const db = serverUrl ? await freshDatabase() : null;
    await db?.sql.end();
    const dataDir = mkdtempSync(join(tmpdir(), 'imagestore-kill-'));
    const env = { DATABASE_URL: db?.url ?? '', IMAGESTORE_DATA_DIR: dataDir };
    try {
      const first = await startProcess(env);
      const load = bulkLoad(first.url, 4);
      await sleep(1500);
      await first.stop('SIGKILL');
      await load.stop();
      assert.ok(load.counts.ok > 0);

      const second = await startProcess(env);
      assert.ok(
        await succeeds(second.url, CREATE, { c: makeConfig(['after the crash']), p: null }),
        'serves again',
      );
      assert.equal(await second.stop('SIGTERM'), 0);

      const database = db?.url
        ? await openServerDatabase(db.url)
        : await openEmbeddedDatabase(dataDir);
      try {
        const [row] = await database.sql`select count(*)::int as n from images`;
        assert.ok(row!.n >= load.counts.ok, `${row!.n} stored, ${load.counts.ok} acknowledged`);
        assert.deepEqual(await verifyStore(database.sql), []);
      } finally {
        await database.close();
      }
    } finally {
      if (db) await db.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
