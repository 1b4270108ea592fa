import { shortId } from '../domain/digest.js';
import { historyOf } from '../domain/image-config.js';
import { builder } from './builder.js';
import { HistoryEntry } from './history-entry.js';
import { extrasSelected } from './look-ahead.js';
import { Image } from './object-refs.js';

Image.implement({
  description: 'An image: a config stored under the SHA-256 digest of its exact bytes.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'sha256: and the hex digest of the config bytes.' }),
    shortId: t.string({
      description: 'The first 12 hex digits of the ID, as `docker images` shows it.',
      resolve: (image) => shortId(image.id),
    }),
    config: t.field({
      type: 'JSON',
      description: 'The config document, parsed.',
      resolve: async (image, _args, context) => (await context.configs.load(image.id)).json,
    }),
    rawConfig: t.string({
      description: 'The config exactly as stored: its SHA-256 is the ID.',
      resolve: async (image, _args, context) => (await context.configs.load(image.id)).raw,
    }),
    created: t.expose('created', { type: 'DateTime', nullable: true }),
    architecture: t.exposeString('architecture', { nullable: true }),
    os: t.exposeString('os', { nullable: true }),
    author: t.exposeString('author', { nullable: true }),
    comment: t.exposeString('comment', { nullable: true }),
    history: t.field({
      type: [HistoryEntry],
      resolve: async (image, _args, context) =>
        historyOf((await context.configs.load(image.id)).json),
    }),
    isHead: t.exposeBoolean('isHead', {
      description: 'True when no image has this one as its parent.',
    }),
  }),
});

builder.queryFields((t) => ({
  image: t.field({
    type: Image,
    nullable: true,
    description:
      'The image a reference (ubuntu:22.04, name@sha256:…, or a bare name whose :latest ' +
      'exists) names, otherwise the image a full ID or a unique ID prefix (with or without ' +
      'sha256:) names.',
    args: { id: t.arg.string({ required: true }) },
    resolve: async (_root, args, context, info) => {
      // The config and layers it selects come with the row: one view of the image.
      const found = await context.store.find(args.id, extrasSelected(info));
      return found === null ? null : context.tree.remember(found);
    },
  }),
}));
