import { verifyStore } from '../store/verify.js';
import { runCommand } from './command.js';

// `npm run verify`: checks the configured database; exits non-zero on any problem.
await runCommand(async ({ config, database }) => {
  const started = performance.now();
  const problems = await verifyStore(database.sql, config.maxTreeDepth);
  for (const problem of problems) console.log(problem);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `imagestore: verified ${database.description} in ${seconds} s: ${problems.length} problem(s)`,
  );
  return problems.length === 0 ? 0 : 1;
});
