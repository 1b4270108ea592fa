import { resolve } from 'node:path';
import { ConfigError } from './domain/errors.js';
import { DEFAULT_MAX_TREE_DEPTH } from './store/image-store.js';
import { DEFAULT_CONNECT_TIMEOUT_S } from './store/pool.js';

/** Limits that stop abusive requests but let real tree queries through. */
export interface Limits {
  /** Selection depth: a tree query nests `children` deeply. */
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
  /** Estimated cost, with list fields counted by their expected size. */
  cost: number;
  bodyBytes: number;
  configBytes: number;
}

/** What the GraphQL app itself is built with. */
export interface AppSettings {
  /** The most levels a walk up or down an image tree goes. */
  maxTreeDepth: number;
  /** When set, mutations need `Authorization: Bearer <token>`. */
  writeToken: string | null;
  /** When set, queries need it too (or the write token). */
  readToken: string | null;
  /** How long a request waits to reach the database before DATABASE_UNAVAILABLE, in seconds. */
  databaseTimeout: number;
  /** Browser origins allowed to call the API; none turns CORS off. */
  corsOrigins: string[];
  introspection: boolean;
  /** Whether the explorer page (web/) is served at /. */
  explorer: boolean;
  /** How long the event log keeps events, in seconds. */
  eventRetention: number;
  limits: Limits;
}

/** The server's settings, read from the environment once at startup. */
export interface Config extends AppSettings {
  port: number;
  host: string;
  /** A PostgreSQL server to use; null runs the embedded database. */
  databaseUrl: string | null;
  /** Where the embedded database keeps its files. */
  dataDir: string;
  logLevel: string;
}

export { ConfigError };

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
const MiB = 1024 * 1024;

/** Reads and checks the settings; the README's configuration table lists them. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const text = (name: string) => env[name]?.trim() || null;
  const int = (name: string, fallback: number, min: number, max: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(
        `${name} must be a whole number from ${min} to ${max}, got "${env[name]}"`,
      );
    }
    return value;
  };
  const databaseUrl = text('DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const onOff = (name: string) => {
    const value = (text(name) ?? 'on').toLowerCase();
    if (!['on', 'off', 'true', 'false'].includes(value))
      throw new ConfigError(`${name} must be on or off, got "${value}"`);
    return value === 'on' || value === 'true';
  };
  const logLevel = (text('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    port: int('PORT', 4000, 0, 65535),
    host: text('HOST') ?? '127.0.0.1',
    databaseUrl,
    dataDir: resolve(text('IMAGESTORE_DATA_DIR') ?? 'data'),
    logLevel,
    maxTreeDepth: int('IMAGESTORE_MAX_TREE_DEPTH', DEFAULT_MAX_TREE_DEPTH, 1, 10_000),
    databaseTimeout: int('IMAGESTORE_DATABASE_TIMEOUT', DEFAULT_CONNECT_TIMEOUT_S, 1, 600),
    writeToken: text('IMAGESTORE_WRITE_TOKEN'),
    readToken: text('IMAGESTORE_READ_TOKEN'),
    corsOrigins: (text('IMAGESTORE_CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    introspection: onOff('IMAGESTORE_INTROSPECTION'),
    explorer: onOff('IMAGESTORE_EXPLORER'),
    eventRetention: duration(
      'IMAGESTORE_EVENT_RETENTION',
      text('IMAGESTORE_EVENT_RETENTION') ?? '7d',
    ),
    limits: {
      depth: int('IMAGESTORE_MAX_QUERY_DEPTH', 64, 1, 10_000),
      aliases: int('IMAGESTORE_MAX_ALIASES', 30, 1, 100_000),
      directives: int('IMAGESTORE_MAX_DIRECTIVES', 50, 1, 100_000),
      tokens: int('IMAGESTORE_MAX_TOKENS', 10_000, 10, 10_000_000),
      cost: int('IMAGESTORE_MAX_COST', 200_000, 1, 1_000_000_000),
      bodyBytes: int('IMAGESTORE_MAX_BODY_BYTES', 4 * MiB, 1024, 1024 * MiB),
      configBytes: int('IMAGESTORE_MAX_CONFIG_BYTES', 4 * MiB, 1024, 1024 * MiB),
    },
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration such as 7d, 12h, 30m or 45s (a bare number is seconds), in seconds. */
function duration(name: string, value: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(value);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's']! : 0;
  if (seconds < 1) {
    throw new ConfigError(`${name} must be a duration such as 7d, 12h, 30m or 45s, got "${value}"`);
  }
  return seconds;
}

/** The app settings when nothing is configured. */
export function defaultAppSettings(): AppSettings {
  const { port, host, databaseUrl, dataDir, logLevel, ...app } = readConfig({});
  return app;
}
