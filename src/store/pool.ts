import postgres from 'postgres';

/** The connection pool every store function is given. */
export type Sql = postgres.Sql;
/** Settings of a pool, with no custom column types. */
export type PoolOptions = postgres.Options<Record<string, never>>;
/** A pool or a transaction: what a function needs that runs inside and outside one. */
export type Queryable = postgres.ISql;

let statements = 0;

/** How many SQL statements this process has sent, for its metrics. */
export function statementsSent(): number {
  return statements;
}

/** How long a request waits for a connection to the database before it fails, by default. */
export const DEFAULT_CONNECT_TIMEOUT_S = 2;

/**
 * Opens a postgres.js pool with the settings the store relies on. A request
 * that cannot get a connection fails within the connect timeout: reconnects
 * wait at most half a second, not the driver's pool-wide backoff that grows
 * to 20 s while queries queue behind it.
 */
export function connect(url: string, options: PoolOptions = {}): Sql {
  const { debug } = options;
  return postgres(url, {
    max: 10,
    connect_timeout: DEFAULT_CONNECT_TIMEOUT_S,
    backoff: (retries) => Math.min(0.05 * 2 ** retries, 0.5) * (0.5 + Math.random() / 2),
    onnotice: () => {},
    // No JIT: the store's statements are index probes that run in a
    // millisecond, and as the store grows their cost estimates pass the JIT
    // threshold, after which compiling took a hundred times longer than
    // running (a create's rebase: 0.8 ms of work, 128 ms of JIT).
    connection: { application_name: 'imagestore', jit: 'off' },
    ...options,
    debug: (connection, query, parameters, types) => {
      statements++;
      if (typeof debug === 'function') debug(connection, query, parameters, types);
    },
  });
}

/**
 * Whether the pool is the embedded database's one session: nothing else can
 * connect to it (no second connection to LISTEN on, no one to take turns with).
 */
export function sharesOneSession(sql: Sql): boolean {
  return sql.options.max === 1;
}

/**
 * A row this transaction read was removed by another that committed since:
 * what it was about to answer no longer holds, so it runs again from the start.
 */
export class RowVanished extends Error {}

// Failures a concurrent writer can cause: serialization, deadlock, and a row
// (a layer, a parent) that another transaction removed under this one.
const RETRYABLE = new Set(['40001', '40P01', '23503']);
const ATTEMPTS = 10;
// The database is away or dropped the connection (a restart, an administrator,
// a network fault): SQLSTATE class 08, shutdowns, and the driver's and the
// socket's own codes.
const UNAVAILABLE = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Whether an error says the database could not be reached or dropped the connection. */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('08'));
}

// A database that is away stays away for a while: a couple of tries on fresh
// connections, then the caller hears of it rather than waiting.
const ATTEMPTS_WHEN_UNAVAILABLE = 3;

function retryable(error: unknown, attempt: number): boolean {
  if (error instanceof RowVanished) return true;
  if (error instanceof postgres.PostgresError && RETRYABLE.has(error.code)) return true;
  // A connection found dead at `begin` ran nothing: safe to try again, unless
  // waiting for it already took the whole connect timeout.
  const { query, code } = error as { query?: string; code?: string };
  const atBegin = query?.trim() === 'begin' && code !== 'CONNECT_TIMEOUT';
  return atBegin && isConnectionFailure(error) && attempt < ATTEMPTS_WHEN_UNAVAILABLE;
}

/** Runs work in one transaction, again from the start when a concurrent writer got in the way. */
export function transaction<T>(
  sql: Sql,
  work: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  return retrying(async () => (await sql.begin(work)) as T);
}

/**
 * Runs work that is one transaction (a single statement outside `begin` is
 * one) again from the start when a concurrent writer got in the way.
 */
export async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!retryable(error, attempt) || attempt >= ATTEMPTS) throw error;
      // Jittered backoff, so that the writers who collided do not collide again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
    }
  }
}
