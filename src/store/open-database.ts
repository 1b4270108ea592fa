import { accessSync, constants, mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import postgres from 'postgres';
import { ConfigError } from '../domain/errors.js';
import { connect, type PoolOptions, type Sql } from './pool.js';

/** An open database: the pool the store uses, and how to close it all. */
export interface Database {
  sql: Sql;
  /** Which database this is, for the startup log; never a password. */
  description: string;
  close(): Promise<void>;
}

/** Where the database is, as the settings give it. */
export interface DatabaseSettings {
  /** A PostgreSQL server to use; null runs the embedded database. */
  databaseUrl: string | null;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  /** How long a request waits to reach the database, in seconds. */
  databaseTimeout?: number;
}

/** Opens the database the settings name: a PostgreSQL server, or the embedded one. */
export function openDatabase(
  settings: DatabaseSettings,
  options: PoolOptions = {},
): Promise<Database> {
  const { databaseUrl, dataDir, databaseTimeout } = settings;
  return databaseUrl
    ? openServerDatabase(databaseUrl, { connect_timeout: databaseTimeout, ...options })
    : openEmbeddedDatabase(dataDir, options);
}

const CONNECT_ATTEMPTS = 5;
// Wrong credentials or a missing database will not mend by waiting.
const PERMANENT = new Set(['28P01', '28000', '3D000']);

/** Connects to a PostgreSQL server, retrying a few times (about 4 s) while it starts up. */
export async function openServerDatabase(
  url: string,
  options: PoolOptions = {},
): Promise<Database> {
  const sql = connect(url, options);
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`;
      break;
    } catch (error) {
      const permanent = error instanceof postgres.PostgresError && PERMANENT.has(error.code);
      if (permanent || attempt >= CONNECT_ATTEMPTS) {
        await sql.end({ timeout: 0 });
        throw new ConfigError(
          `cannot use the database at DATABASE_URL (${redact(url)}): ` +
            `${(error as Error).message}. Check that PostgreSQL is running and the URL is right, ` +
            'or unset DATABASE_URL to use the embedded database.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
    }
  }
  return { sql, description: `PostgreSQL at ${redact(url)}`, close: () => sql.end({ timeout: 5 }) };
}

/**
 * Runs the embedded database (PGlite) and serves it on a loopback port, so the
 * same postgres.js code talks to it. It has one session: the pool holds one
 * connection. dataDir 'memory://' keeps nothing on disk.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: PoolOptions = {},
): Promise<Database> {
  if (dataDir !== 'memory://') ensureWritable(dataDir);
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const sql = connect(`postgres://postgres@${server.getServerConn()}/postgres`, {
    ...options,
    max: 1,
  });
  return {
    sql,
    description:
      dataDir === 'memory://' ? 'embedded PGlite in memory' : `embedded PGlite in ${dataDir}`,
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await db.close();
    },
  };
}

function ensureWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new ConfigError(
      `cannot write the data directory ${dir} (${(error as NodeJS.ErrnoException).code}); ` +
        'set IMAGESTORE_DATA_DIR to a writable directory',
    );
  }
}

/** A URL with its password hidden. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}
