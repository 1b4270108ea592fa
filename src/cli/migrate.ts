import { runCommand } from './command.js';

// `npm run migrate`: applies pending migrations to the database the server would use.
await runCommand(
  async ({ database }) => {
    console.log(`imagestore: migrated ${database.description}`);
    return 0;
  },
  { migrated: true },
);
