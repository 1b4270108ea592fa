import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createImageStore } from '../src/store/image-store.js';
import { migrate } from '../src/store/migrate.js';
import { openServerDatabase } from '../src/store/open-database.js';
import { verifyStore } from '../src/store/verify.js';
import { freshDatabase, serverUrl } from './support/database.js';
import { realConfigs } from './support/real-configs.js';

const MIGRATIONS = readdirSync(new URL('../migrations', import.meta.url)).filter((name) =>
  name.endsWith('.sql'),
);

describe('migrations', () => {
  const oneServerOnly = serverUrl === null && 'the embedded database belongs to one server process';
  it('when servers migrate an empty database at once, then all succeed and migrations run once', {
    skip: oneServerOnly,
  }, async () => {
    const db = await freshDatabase({}, { migrated: false });
    const pools = await Promise.all([1, 2, 3].map(() => openServerDatabase(db.url!)));
    try {
      await Promise.all(pools.map((pool) => migrate(pool.sql)));
      const applied = await db.sql<
        { migration_id: number }[]
      >`select migration_id from migrations order by 1`;
      assert.deepEqual(
        applied.map((row) => row.migration_id),
        MIGRATIONS.map((_, i) => i + 1),
      );
      const tables =
        await db.sql`select tablename from pg_tables where schemaname = 'public' order by 1`;
      assert.deepEqual(
        tables.map((row) => row.tablename),
        [
          'image_counts',
          'image_events',
          'image_events_removed',
          'image_layers',
          'image_references',
          'images',
          'layers',
          'migrations',
        ],
      );
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
      await db.close();
    }
  });

  it('when migrations have already run, then running them again changes nothing', async () => {
    const db = await freshDatabase();
    try {
      await migrate(db.sql);
      const applied = await db.sql`select count(*)::int as n from migrations`;
      assert.equal(applied[0]!.n, MIGRATIONS.length);
    } finally {
      await db.close();
    }
  });
  it('when images stored before lineage are migrated, then their lineage is computed', async () => {
    const db = await freshDatabase();
    try {
      const store = createImageStore(db.sql);
      for (const config of realConfigs) await store.create(config.raw);
      const kept = await db.sql`select id, base_id from images order by id`;
      // As the lineage migration leaves rows stored before it.
      await db.sql`update images set history_chain = null, base_id = null`;
      await migrate(db.sql);
      assert.deepEqual(await db.sql`select id, base_id from images order by id`, kept);
      assert.deepEqual(await verifyStore(db.sql), []);
    } finally {
      await db.close();
    }
  });
});
