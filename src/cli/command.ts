import { type Config, ConfigError, readConfig } from '../config.js';
import { migrate } from '../store/migrate.js';
import { type Database, openDatabase } from '../store/open-database.js';

/** What a command is given: the settings, and the database they name, open. */
export interface CommandContext {
  config: Config;
  database: Database;
}

/**
 * Runs a command over the configured database and exits with the code it gives: reads
 * the settings, opens (and, when asked, migrates) the database, closes it
 * afterwards whatever happened, and prints a settings problem as one line.
 */
export async function runCommand(
  work: (context: CommandContext) => Promise<number>,
  { migrated = false } = {},
): Promise<never> {
  let code = 1;
  try {
    const config = readConfig();
    const database = await openDatabase(config);
    try {
      if (migrated) await migrate(database.sql);
      code = await work({ config, database });
    } finally {
      await database.close();
    }
  } catch (error) {
    reportFailure(error);
  }
  process.exit(code);
}

/** Prints why a command or the server could not go on: a settings problem as one line. */
export function reportFailure(error: unknown): void {
  console.error(error instanceof ConfigError ? `imagestore: ${error.message}` : error);
}
