import { fileURLToPath } from 'node:url';
import shift from 'postgres-shift';
import { backfillLineage } from './lineage.js';
import { type Sql, sharesOneSession } from './pool.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
// Any constant works; it only has to differ from the store's other advisory locks.
const MIGRATION_LOCK = 7_210_001;

/** Applies every pending migration in migrations/, one transaction for all of them. */
export async function migrate(sql: Sql): Promise<void> {
  // Servers starting together on one database take turns. A one-connection
  // pool (the embedded database) has no one to take turns with.
  const lock = sharesOneSession(sql) ? null : await sql.reserve();
  try {
    if (lock) await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await shift({ sql, path: MIGRATIONS });
    // What SQL alone cannot fill in for images stored before a migration.
    await backfillLineage(sql);
  } finally {
    if (lock) {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      lock.release();
    }
  }
}
