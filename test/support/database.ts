import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { migrate } from '../../src/store/migrate.js';
import {
  type Database,
  openEmbeddedDatabase,
  openServerDatabase,
} from '../../src/store/open-database.js';
import { connect, type PoolOptions } from '../../src/store/pool.js';

/** The PostgreSQL server the tests run on; unset runs them on the embedded database. */
export const serverUrl = process.env.DATABASE_URL?.trim() || null;

/**
 * A new, migrated database for one test file: a database of its own on the
 * server, or an in-memory embedded one. close() drops it.
 */
export async function freshDatabase(
  options: PoolOptions = {},
  { migrated = true } = {},
): Promise<Database & { url: string | null }> {
  if (serverUrl === null) {
    const database = await openEmbeddedDatabase('memory://', options);
    if (migrated) await migrate(database.sql);
    return { ...database, url: null };
  }
  const name = `imagestore_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin`create database ${admin(name)}`);
  const url = databaseUrl(name);
  const database = await openServerDatabase(url, options);
  if (migrated) await migrate(database.sql);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      await withAdmin((admin) => admin`drop database if exists ${admin(name)} with (force)`);
    },
  };
}

/** The URL of another database on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = connect(serverUrl!, { max: 1 });
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
