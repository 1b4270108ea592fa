import { writeFileSync } from 'node:fs';
import { printedSchema } from '../src/schema/index.js';

// Writes the printed schema that clients and reviewers read: schema.graphql.
writeFileSync(new URL('../schema.graphql', import.meta.url), printedSchema());
console.log('wrote schema.graphql');
