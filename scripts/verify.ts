import { ConfigError, readConfig } from '../src/config.js';
import { openEmbeddedDatabase, openServerDatabase } from '../src/store/open-database.js';
import { verifyStore } from '../src/store/verify.js';

// `npm run verify`: checks the configured database and exits non-zero on any problem.
const config = readConfig();
try {
  const database = config.databaseUrl
    ? await openServerDatabase(config.databaseUrl)
    : await openEmbeddedDatabase(config.dataDir);
  const started = performance.now();
  const problems = await verifyStore(database.sql, config.maxTreeDepth);
  await database.close();
  for (const problem of problems) console.log(problem);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`imagestore: verified ${database.description} in ${seconds} s: ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
} catch (error) {
  console.error(error instanceof ConfigError ? `imagestore: ${error.message}` : error);
  process.exit(1);
}
