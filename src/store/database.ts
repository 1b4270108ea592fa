import postgres from 'postgres';

/** The connection pool every store function is given. */
export type Sql = postgres.Sql;
/** A pool or a transaction: what a function needs that runs inside and outside one. */
export type Queryable = postgres.ISql;

let statements = 0;

/** How many SQL statements this process has sent, for its metrics. */
export function statementsSent(): number {
  return statements;
}

/** Opens a postgres.js pool with the settings the store relies on. */
export function connect(url: string, options: postgres.Options<{}> = {}): Sql {
  const { debug } = options;
  return postgres(url, {
    max: 10,
    onnotice: () => {},
    connection: { application_name: 'imagestore' },
    ...options,
    debug: (connection, query, parameters, types) => {
      statements++;
      if (typeof debug === 'function') debug(connection, query, parameters, types);
    },
  });
}

// Failures a concurrent writer can cause: serialization, deadlock, and a row
// (a layer, a parent) that another transaction removed under this one.
const RETRYABLE = new Set(['40001', '40P01', '23503']);
const ATTEMPTS = 10;
// A connection the server dropped (a restart, an administrator) is found dead
// only when used; if that was at `begin`, nothing ran and it is safe to retry.
const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'ECONNRESET', 'EPIPE']);

function retryable(error: unknown): boolean {
  if (error instanceof postgres.PostgresError && RETRYABLE.has(error.code)) return true;
  const { code, query } = error as { code?: string; query?: string };
  return code !== undefined && CONNECTION_LOST.has(code) && query?.trim() === 'begin';
}

/** Runs work in one transaction, again from the start when a concurrent writer got in the way. */
export async function transaction<T>(sql: Sql, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await sql.begin(work)) as T;
    } catch (error) {
      if (!retryable(error) || attempt >= ATTEMPTS) throw error;
      // Jittered backoff, so that the writers who collided do not collide again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
    }
  }
}
