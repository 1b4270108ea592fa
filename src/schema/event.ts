import { type ResolveCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import { mapAsyncIterator } from 'graphql-yoga';
import { BadInputError, EventsExpiredError, NotFoundError } from '../domain/errors.js';
import { familiarString, parseReference, withDefaultTag } from '../domain/reference.js';
import { type Context, freshLoaders } from '../server/context.js';
import {
  before,
  type EventCursor,
  type EventRow,
  type EventType,
  LOG_START,
} from '../store/event-log.js';
import { builder } from './builder.js';
import { LayerMetadata } from './layer.js';
import { Image } from './object-refs.js';
import { pageComplexity, pageSize } from './paging.js';

const ImageEventType = builder.enumType('ImageEventType', {
  description: 'What happened to an image.',
  values: {
    CREATE: { description: 'createImage stored a new image.' },
    IMPORT: { description: 'importImages stored a new image.' },
    DELETE: { description: 'deleteImage removed the image (or pruned it as a parent).' },
    PRUNE: { description: 'pruneImages removed the image.' },
    SET_PARENT: { description: "setParent changed the image's parent (parentId; null: none)." },
    TAG: { description: 'A reference now names the image.' },
    UNTAG: { description: 'A reference no longer names the image (removed, or moved away).' },
  } satisfies Record<EventType, unknown>,
});

/** An event's cursor as clients see it: the writing transaction, a dot, the position. */
export function eventCursor(event: EventCursor): string {
  return `${event.tx}.${event.position}`;
}

function parseEventCursor(cursor: string): EventCursor {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(cursor);
  if (!match) throw new BadInputError(`invalid event cursor "${cursor.slice(0, 80)}"`);
  return { tx: match[1]!, position: match[2]! };
}

/**
 * Where a reader asking for events after `since` (a cursor, or an RFC 3339
 * time) starts; EVENTS_EXPIRED when retention removed events after that point.
 */
async function startOf(since: string, context: Context): Promise<EventCursor> {
  const time = /^\d{4}-\d\d-\d\dT/.test(since) ? new Date(since) : null;
  if (time !== null && Number.isNaN(time.getTime()))
    throw new BadInputError(`invalid time "${since.slice(0, 80)}"`);
  const cursor =
    time === null ? parseEventCursor(since) : await context.store.eventCursorBefore(time);
  const removed = await context.store.eventsRemovedThrough();
  const expired =
    removed !== null &&
    (time === null ? before(cursor, removed) : time.getTime() <= removed.time.getTime());
  if (expired) throw new EventsExpiredError(eventCursor(removed));
  // From the start of what is kept.
  return before(cursor, removed ?? LOG_START) ? removed! : cursor;
}

const ImageEvent = builder.objectRef<EventRow>('ImageEvent').implement({
  description: 'A change to the store, as its transaction committed it.',
  fields: (t) => ({
    cursor: t.string({
      description: "The event's place in the log: resume after it with since.",
      resolve: eventCursor,
    }),
    type: t.field({ type: ImageEventType, resolve: (event) => event.type }),
    time: t.expose('time', {
      type: 'DateTime',
      description: 'When the transaction that wrote it began.',
    }),
    imageId: t.exposeID('imageId'),
    image: t.field({
      type: Image,
      nullable: true,
      description: 'The image as it is now; null once it is deleted.',
      resolve: async (event, _args, context) => {
        try {
          return await Image.getDataloader(context).load(event.imageId);
        } catch (error) {
          if (error instanceof NotFoundError) return null;
          throw error;
        }
      },
    }),
    parentId: t.exposeID('parentId', {
      nullable: true,
      description: "CREATE, IMPORT, DELETE, PRUNE: the image's parent; SET_PARENT: the new one.",
    }),
    reference: t.exposeString('reference', {
      nullable: true,
      description: 'TAG and UNTAG: the reference, as `docker images` shows it.',
    }),
    releasedLayers: t.field({
      type: [LayerMetadata],
      nullable: true,
      description: 'DELETE and PRUNE: the layers that went with the image, top layer first.',
      resolve: (event) => event.releasedLayers,
    }),
  }),
});

builder.subscriptionType({});

builder.subscriptionField('imageEvents', (t) =>
  t.field({
    type: ImageEvent,
    description:
      "The store's events as they commit, in one order on every server instance. With " +
      'since (an event cursor, or a time), first every stored event after it, then live: ' +
      'no gap and no repeat at the seam.',
    args: {
      since: t.arg.string({ description: 'An event cursor, or an RFC 3339 time.' }),
      types: t.arg({ type: [ImageEventType], description: 'Only events of these types.' }),
      image: t.arg.string({ description: "Only this image's events: a full image ID." }),
      reference: t.arg.string({ description: 'Only TAG and UNTAG events of this reference.' }),
    },
    subscribe: async (_root, args, context) => {
      const start = args.since == null ? null : await startOf(args.since, context);
      const types = args.types ? new Set<string>(args.types) : null;
      const reference =
        args.reference == null
          ? null
          : familiarString(withDefaultTag(parseReference(args.reference)));
      const wanted = (event: EventRow) =>
        (types === null || types.has(event.type)) &&
        (args.image == null || event.imageId === args.image) &&
        (reference === null || event.reference === reference);
      // Mapped, not looped over in a generator: a client that leaves ends the
      // stream at once, not at the next event it would have been sent.
      return mapAsyncIterator(context.events.stream(start, wanted), (event) => {
        // A subscription keeps one context: each event reads the store afresh.
        freshLoaders(context);
        return event;
      });
    },
    resolve: (event) => event,
  }),
);

builder.queryField('events', (t) =>
  t.connection(
    {
      type: ImageEvent,
      description:
        'The event log, oldest first: every committed event that no transaction still in ' +
        'flight can precede. For pages and catching up; imageEvents streams the same events.',
      complexity: pageComplexity,
      args: {
        since: t.arg({ type: 'DateTime', description: 'Only events at or after this time.' }),
        until: t.arg({ type: 'DateTime', description: 'Only events before this time.' }),
        types: t.arg({ type: [ImageEventType], description: 'Only events of these types.' }),
      },
      resolve: async (_root, args, context) => {
        const filter = {
          types: args.types ?? null,
          since: args.since ?? null,
          until: args.until ?? null,
        };
        const removed = await context.store.eventsRemovedThrough();
        const from = args.after == null ? null : parseEventCursor(args.after);
        if (
          removed !== null &&
          ((from !== null && before(from, removed)) ||
            (from === null && filter.since !== null && filter.since <= removed.time))
        ) {
          throw new EventsExpiredError(eventCursor(removed));
        }
        const page = await resolveCursorConnection(
          { args, toCursor: eventCursor, ...pageSize(args) },
          ({ before: until, after, limit, inverted }: ResolveCursorConnectionArgs) =>
            context.store.eventPage({
              after: after == null ? undefined : parseEventCursor(after),
              before: until == null ? undefined : parseEventCursor(until),
              limit,
              descending: inverted,
              filter,
            }),
        );
        return { ...page, totalCount: () => context.store.countEvents(filter) };
      },
    },
    { name: 'ImageEventConnection' },
    { name: 'ImageEventEdge' },
  ),
);
