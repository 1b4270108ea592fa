import { type ResolveCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import {
  parseReference,
  referenceString,
  repositoryName,
  withDefaultTag,
} from '../domain/reference.js';
import type { Context } from '../server/context.js';
import type { ImageRow, ReferenceRow } from '../store/image-store.js';
import { builder } from './builder.js';
import { extrasSelected } from './look-ahead.js';
import { Image, Reference } from './object-refs.js';
import { pageComplexity, pageSize } from './paging.js';

Reference.implement({
  description: "A name for an image in Docker's reference store: a tag or a repo digest.",
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'The normalized reference: docker.io/library/ubuntu:22.04.',
    }),
    familiarName: t.exposeString('familiar', {
      description: 'The reference as `docker images` shows it: ubuntu:22.04.',
    }),
    repository: t.exposeString('repository', {
      description: 'The normalized repository: docker.io/library/ubuntu.',
    }),
    domain: t.string({
      description: 'The registry, with its port: docker.io, localhost:5000.',
      resolve: (row) => row.repository.slice(0, row.repository.indexOf('/')),
    }),
    path: t.string({
      description: 'The repository path in the registry: library/ubuntu.',
      resolve: (row) => row.repository.slice(row.repository.indexOf('/') + 1),
    }),
    tag: t.exposeString('tag', { nullable: true }),
    digest: t.exposeString('digest', { nullable: true, description: 'A repo digest: sha256:….' }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the reference was set to its image.',
    }),
    image: t.field({ type: Image, resolve: (row) => row.imageId }),
  }),
});

/** The familiar forms of an image's references of one kind, sorted. */
async function familiar(image: ImageRow, context: Context, kind: 'tag' | 'digest') {
  const rows = await context.references.load(image.id);
  return rows
    .filter((row) => row[kind] !== null)
    .map((row) => row.familiar)
    .sort();
}

builder.objectFields(Image, (t) => ({
  repoTags: t.stringList({
    description: 'The tags that name this image, as `docker images` shows them, sorted.',
    resolve: (image, _args, context) => familiar(image, context, 'tag'),
  }),
  repoDigests: t.stringList({
    description: 'The repo digests recorded for this image (name@sha256:…), sorted.',
    resolve: (image, _args, context) => familiar(image, context, 'digest'),
  }),
  references: t.field({
    type: [Reference],
    description: 'Every reference that names this image, ordered by name.',
    resolve: (image, _args, context) => context.references.load(image.id),
  }),
  lastTagTime: t.expose('lastTagTime', {
    type: 'DateTime',
    nullable: true,
    description: 'When the image was last tagged; null when never.',
  }),
  dangling: t.boolean({
    description: 'True when no reference names this image and no image has it as its parent.',
    resolve: async (image, _args, context) =>
      image.isHead && (await context.references.load(image.id)).length === 0,
  }),
}));

const TagImagePayload = builder
  .objectRef<{ reference: ReferenceRow; image: ImageRow; previousImageId: string | null }>(
    'TagImagePayload',
  )
  .implement({
    fields: (t) => ({
      reference: t.field({ type: Reference, resolve: (payload) => payload.reference }),
      image: t.field({ type: Image, resolve: (payload) => payload.image }),
      previousImage: t.field({
        type: Image,
        nullable: true,
        description: 'The image the reference named before this tag moved it; null when none.',
        resolve: (payload) => payload.previousImageId,
      }),
    }),
  });

const UntagImagePayload = builder
  .objectRef<{ reference: string; image: ImageRow }>('UntagImagePayload')
  .implement({
    fields: (t) => ({
      reference: t.exposeString('reference', {
        description: 'The reference removed, as `docker images` shows it.',
      }),
      image: t.field({ type: Image, resolve: (payload) => payload.image }),
    }),
  });

builder.queryFields((t) => ({
  reference: t.field({
    type: Reference,
    nullable: true,
    description:
      'The reference stored under a name (ubuntu means docker.io/library/ubuntu:latest).',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, context, info) => {
      const name = referenceString(withDefaultTag(parseReference(args.name)));
      // The image comes in the same statement, with the config and layers it selects.
      const found = await context.store.findReference(name, extrasSelected(info, ['image']));
      if (found === null) return null;
      const { image, ...reference } = found;
      Image.getDataloader(context).prime(image.id, context.tree.remember(image));
      return reference;
    },
  }),
  references: t.connection(
    {
      type: Reference,
      description: "Every reference, or one repository's, ordered by name.",
      complexity: pageComplexity,
      args: {
        repository: t.arg.string({
          description: 'A repository in any form: ubuntu, ghcr.io/acme/api.',
        }),
      },
      resolve: async (_root, args, context) => {
        const repository =
          args.repository == null ? null : repositoryName(parseReference(args.repository));
        const page = await resolveCursorConnection(
          { args, toCursor: (row: ReferenceRow) => row.name, ...pageSize(args) },
          ({ before, after, limit, inverted }: ResolveCursorConnectionArgs) =>
            context.store.referencePage({ before, after, limit, descending: inverted, repository }),
        );
        return { ...page, totalCount: () => context.store.countReferences(repository) };
      },
    },
    { name: 'ReferenceConnection' },
    { name: 'ReferenceEdge' },
  ),
}));

builder.mutationFields((t) => ({
  tagImage: t.field({
    type: TagImagePayload,
    description:
      'Points a reference at an image, as `docker tag` does: a name that named another image ' +
      'moves.',
    args: {
      image: t.arg.string({
        required: true,
        description: 'An ID, a unique ID prefix, or a reference.',
      }),
      reference: t.arg.string({
        required: true,
        description: 'ubuntu:22.04, ghcr.io/acme/api:1.4, or name@sha256:… for a repo digest.',
      }),
    },
    resolve: (_root, args, context) =>
      context.store.tag(args.image, parseReference(args.reference)),
  }),
  untagImage: t.field({
    type: UntagImagePayload,
    description:
      'Removes a reference, as `docker rmi` of a name that is not the last one does; the ' +
      'image stays.',
    args: { reference: t.arg.string({ required: true }) },
    resolve: (_root, args, context) =>
      context.store.untag(args.reference, parseReference(args.reference)),
  }),
}));
