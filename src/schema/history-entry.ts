import type { HistoryEntry as Entry } from '../domain/image-config.js';
import { builder } from './builder.js';

/** One step of an image's build history, as the config records it. */
export const HistoryEntry = builder.objectRef<Entry>('HistoryEntry').implement({
  description: "One step of the build that made an image, from the config's history.",
  fields: (t) => ({
    created: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (entry) => (entry.created ? new Date(entry.created) : null),
    }),
    createdBy: t.string({ nullable: true, resolve: (entry) => entry.created_by ?? null }),
    author: t.string({ nullable: true, resolve: (entry) => entry.author ?? null }),
    comment: t.string({ nullable: true, resolve: (entry) => entry.comment ?? null }),
    emptyLayer: t.boolean({
      description: 'True when the step changed no files and so added no layer.',
      resolve: (entry) => entry.empty_layer === true,
    }),
  }),
});
