import { ConfigError, readConfig } from '../src/config.js';
import { migrate } from '../src/store/migrate.js';
import { openEmbeddedDatabase, openServerDatabase } from '../src/store/open-database.js';

// Applies pending migrations to the database the server would use, then exits.
const config = readConfig();
try {
  const database = config.databaseUrl
    ? await openServerDatabase(config.databaseUrl)
    : await openEmbeddedDatabase(config.dataDir);
  await migrate(database.sql);
  await database.close();
  console.log(`imagestore: migrated ${database.description}`);
} catch (error) {
  console.error(error instanceof ConfigError ? `imagestore: ${error.message}` : error);
  process.exit(1);
}
