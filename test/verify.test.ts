import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseReference } from '../src/domain/reference.js';
import { createImageStore } from '../src/store/image-store.js';
import { migrate } from '../src/store/migrate.js';
import { openEmbeddedDatabase, openServerDatabase } from '../src/store/open-database.js';
import { makeConfig } from './support/configs.js';
import { freshDatabase, serverUrl } from './support/database.js';
import { realConfigs } from './support/real-configs.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs `npm run verify`'s script against a database and gives its exit code and output. */
function runVerify(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/verify.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe('npm run verify', () => {
  it('when the store is whole, then it says so, exit 0; else each problem, exit 1', async () => {
    const server = serverUrl ? await freshDatabase() : null;
    const dataDir = mkdtempSync(join(tmpdir(), 'imagestore-verify-'));
    const env = { DATABASE_URL: server?.url ?? '', IMAGESTORE_DATA_DIR: dataDir };
    const open = () =>
      server?.url ? openServerDatabase(server.url) : openEmbeddedDatabase(dataDir);
    try {
      let database = await open();
      await migrate(database.sql);
      const store = createImageStore(database.sql);
      for (const config of realConfigs.slice(0, 6)) await store.create(config.raw);
      const child = await store.create(makeConfig(['v1', 'v2']), realConfigs[0]!.id);
      await store.tag(realConfigs[2]!.id, parseReference('acme/api:1.4'));
      await store.tag(realConfigs[3]!.id, parseReference('ubuntu'));
      await database.close();

      const clean = runVerify(env);
      assert.equal(clean.code, 0, clean.output);
      assert.match(clean.output, /verified .* 0 problem\(s\)/);

      database = await open();
      await database.sql`
        update images set raw_config = raw_config || ' ' where id = ${child.image.id}`;
      await database.sql`
        delete from image_layers where image_id = ${realConfigs[1]!.id} and position = 0`;
      await database.sql`update image_references set familiar = 'acme/api:9' where tag = '1.4'`;
      await database.sql`update images set labels = '{"x": "y"}' where id = ${realConfigs[4]!.id}`;
      await database.sql`update images set base_id = ${child.image.id} where id = ${realConfigs[5]!.id}`;
      await database.close();

      const broken = runVerify(env);
      assert.equal(broken.code, 1, broken.output);
      assert.match(
        broken.output,
        new RegExp(`image ${child.image.id}: its config hashes to sha256:`),
      );
      assert.match(broken.output, new RegExp(`image ${realConfigs[1]!.id}: references`));
      assert.match(
        broken.output,
        /reference docker.io\/acme\/api:1.4: its familiar should be acme\/api:1.4/,
      );
      assert.match(
        broken.output,
        new RegExp(`image ${realConfigs[4]!.id}: its label index differs`),
      );
      assert.match(
        broken.output,
        new RegExp(`image ${realConfigs[5]!.id}: its base is ${child.image.id}, the lineage rule`),
      );
      assert.doesNotMatch(broken.output, /docker.io\/library\/ubuntu:latest/);
      assert.match(broken.output, /[1-9]\d* problem\(s\)/);
    } finally {
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
