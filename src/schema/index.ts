import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './event.js';
import './history-entry.js';
import './image.js';
import './image-list.js';
import './image-tree.js';
import './image-import.js';
import './image-mutations.js';
import './layer.js';
import './lineage.js';
import './reference.js';

/** The executable schema. */
export const schema = builder.toSchema();

/** The schema in SDL, sorted, as checked in at schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
