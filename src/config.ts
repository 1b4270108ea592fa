import { resolve } from 'node:path';
import { DEFAULT_MAX_TREE_DEPTH } from './store/image-store.js';

/** The server's settings, read from the environment once at startup. */
export interface Config {
  port: number;
  host: string;
  /** A PostgreSQL server to use; null runs the embedded database. */
  databaseUrl: string | null;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  /** The most levels a walk up or down an image tree goes. */
  maxTreeDepth: number;
}

/** A setting that cannot work; its message says which and what to do. */
export class ConfigError extends Error {}

/** Reads and checks the settings; see the README's configuration table. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (0 to 65535), got "${env.PORT}"`);
  }
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const maxTreeDepth = Number(env.IMAGESTORE_MAX_TREE_DEPTH ?? DEFAULT_MAX_TREE_DEPTH);
  if (!Number.isInteger(maxTreeDepth) || maxTreeDepth < 1 || maxTreeDepth > 10_000) {
    throw new ConfigError(`IMAGESTORE_MAX_TREE_DEPTH must be a whole number from 1 to 10000, got "${env.IMAGESTORE_MAX_TREE_DEPTH}"`);
  }
  return {
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    dataDir: resolve(env.IMAGESTORE_DATA_DIR?.trim() || 'data'),
    maxTreeDepth,
  };
}
