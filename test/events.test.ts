import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { EventHub } from '../src/events/event-hub.js';
import { diffId, makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { subscribe, type Transport } from './support/subscriptions.js';

const EVENT_FIELDS =
  'cursor type time imageId parentId reference image { id } releasedLayers { chainId }';
const IMAGE_EVENTS = `subscription (
  $since: String, $types: [ImageEventType!], $image: String, $reference: String
) {
  imageEvents(since: $since, types: $types, image: $image, reference: $reference) {
    ${EVENT_FIELDS}
  }
}`;
const EVENTS = `query ($first: Int, $after: String, $since: DateTime, $until: DateTime,
  $types: [ImageEventType!]) {
  events(first: $first, after: $after, since: $since, until: $until, types: $types) {
    totalCount
    edges { cursor node { ${EVENT_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const TAG = `mutation ($image: String!, $reference: String!) {
  tagImage(image: $image, reference: $reference) { reference { name } }
}`;
const UNTAG = 'mutation ($reference: String!) { untagImage(reference: $reference) { reference } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deleted } }';
const IMPORT = `mutation ($images: [ImageImport!]!) {
  importImages(images: $images) { created }
}`;

const server = useTestServer();

/** Every event Query.events lists, page by page. */
async function allEvents(target = server) {
  const events: any[] = [];
  let after: string | null = null;
  for (;;) {
    const { events: page }: { events: any } = await target.data(EVENTS, { first: 3, after });
    events.push(...page.edges.map((edge: { node: unknown }) => edge.node));
    if (!page.pageInfo.hasNextPage) return events;
    after = page.pageInfo.endCursor;
  }
}

/** A run of writes that makes one event of each kind a create, tag, move and delete make. */
async function writeSomeOfEach(label: string) {
  const base = await server.create(makeConfig([`${label}-a`], label));
  const top = await server.create(makeConfig([`${label}-a`, `${label}-b`], label));
  await server.setParent(top, base);
  await server.data(TAG, { image: base, reference: `${label}:1` });
  // The name moves: an UNTAG of the image it named, then a TAG.
  await server.data(TAG, { image: top, reference: `${label}:1` });
  await server.data(UNTAG, { reference: `${label}:1` });
  await server.data(DELETE, { id: top });
  return { base, top };
}

/** Whether cursor a comes before cursor b in the log's order. */
function before(a: string, b: string): boolean {
  const [atx, apos] = a.split('.').map(BigInt);
  const [btx, bpos] = b.split('.').map(BigInt);
  return atx! < btx! || (atx === btx && apos! < bpos!);
}

const key = (event: { cursor: string; type: string; imageId: string }) =>
  `${event.cursor} ${event.type} ${event.imageId}`;

describe('imageEvents', () => {
  for (const transport of ['sse', 'ws'] as Transport[]) {
    it(`when images are created, linked, tagged, moved, untagged and deleted, then a subscriber over ${transport} gets each event once, in the order Query.events lists them`, async () => {
      // From the end of the log as it is now: what is written from here on.
      const since = (await allEvents()).at(-1)?.cursor ?? '0.0';
      const subscription = subscribe(transport, server.url, IMAGE_EVENTS, { since });
      const probe = await server.create(makeConfig([`probe-${transport}`]));
      await subscription.received(1);
      const { base, top } = await writeSomeOfEach(transport);
      await subscription.received(9);
      subscription.stop();
      assert.deepEqual(
        subscription.events.map((event) => [event.type, event.imageId, event.reference]),
        [
          ['CREATE', probe, null],
          ['CREATE', base, null],
          ['CREATE', top, null],
          ['SET_PARENT', top, null],
          ['TAG', base, `${transport}:1`],
          ['UNTAG', base, `${transport}:1`],
          ['TAG', top, `${transport}:1`],
          ['UNTAG', top, `${transport}:1`],
          ['DELETE', top, null],
        ],
      );
      const [, created, , linked, , , , , deleted] = subscription.events;
      assert.deepEqual(created.image, { id: base });
      assert.equal(linked.parentId, base);
      assert.equal(deleted.image, null, 'a deleted image is null');
      assert.equal(deleted.parentId, base);
      assert.deepEqual(deleted.releasedLayers, [{ chainId: deleted.releasedLayers[0].chainId }]);
      const logged = await allEvents();
      const tail = logged.slice(logged.findIndex((event) => event.imageId === probe));
      assert.deepEqual(subscription.events.map(key), tail.map(key));
    });
  }

  it('when a subscriber resumes with since its last cursor, then it gets what came after, then live events, with no repeat at the seam', async () => {
    const first = subscribe('sse', server.url, IMAGE_EVENTS);
    const a = await server.create(makeConfig(['resume-a']));
    await first.received(1);
    first.stop();
    const last = first.events.at(-1).cursor;
    // Written while nobody listened.
    const b = await server.create(makeConfig(['resume-b']));
    const c = await server.create(makeConfig(['resume-c']));
    const resumed = subscribe('ws', server.url, IMAGE_EVENTS, { since: last });
    await resumed.received(2);
    const d = await server.create(makeConfig(['resume-d']));
    await resumed.received(3);
    await sleep(100);
    resumed.stop();
    assert.deepEqual(
      resumed.events.map((event) => event.imageId),
      [b, c, d],
    );
    assert.equal(first.events[0].imageId, a);
  });

  it('when since is a time, then the replay starts at the first event at or after it', async () => {
    const before = await server.create(makeConfig(['time-a']));
    await sleep(20);
    const since = new Date().toISOString();
    await sleep(20);
    const after = await server.create(makeConfig(['time-b']));
    const subscription = subscribe('sse', server.url, IMAGE_EVENTS, { since });
    await subscription.received(1);
    await sleep(100);
    subscription.stop();
    assert.deepEqual(
      subscription.events.map((event) => event.imageId),
      [after],
    );
    assert.notEqual(before, after);
  });

  it('when filtered by image, reference or types, then it gets exactly those events', async () => {
    const byImage = subscribe('sse', server.url, IMAGE_EVENTS, { since: '0.0' });
    byImage.stop();
    const start = (await allEvents()).at(-1)?.cursor ?? '0.0';
    const { base, top } = await writeSomeOfEach('filtered');
    const expect = async (variables: Record<string, unknown>, count: number) => {
      const subscription = subscribe('ws', server.url, IMAGE_EVENTS, {
        since: start,
        ...variables,
      });
      await subscription.received(count);
      await sleep(100);
      subscription.stop();
      return subscription.events.map(
        (event) => `${event.type} ${event.imageId === base ? 'base' : 'top'}`,
      );
    };
    assert.deepEqual(await expect({ image: base }, 3), ['CREATE base', 'TAG base', 'UNTAG base']);
    assert.deepEqual(await expect({ reference: 'filtered:1' }, 4), [
      'TAG base',
      'UNTAG base',
      'TAG top',
      'UNTAG top',
    ]);
    assert.deepEqual(await expect({ types: ['SET_PARENT', 'DELETE'] }, 2), [
      'SET_PARENT top',
      'DELETE top',
    ]);
    assert.notEqual(top, base);
  });

  it('when a subscriber reads nothing while more than a thousand events come, then it still gets each of them, in order', async () => {
    const hub = new EventHub(server.sql, {
      logger: pino({ level: 'silent' }),
      retentionSeconds: 3600,
      listen: false,
    });
    try {
      const since = (await allEvents()).at(-1)?.cursor ?? '0.0';
      const stream = hub.stream(null, () => true)[Symbol.asyncIterator]();
      // The first pull starts the subscription; it is answered by the first event.
      const first = stream.next();
      await sleep(200);
      for (const batch of [0, 1]) {
        const images = Array.from({ length: 700 }, (_, i) => ({
          config: makeConfig([`slow-${batch}-${i}`]),
        }));
        await server.data(IMPORT, { images });
        hub.wake();
      }
      await sleep(500);
      const received = [(await first).value];
      while (received.length < 1400) received.push((await stream.next()).value);
      await stream.return?.();
      const logged = (await allEvents()).filter((event) => before(since, event.cursor));
      assert.deepEqual(
        received.map((event) => `${event.tx}.${event.position}`),
        logged.map((event) => event.cursor),
      );
    } finally {
      await hub.close();
    }
  });

  it('when since is not a cursor or a time, then BAD_USER_INPUT', async () => {
    const subscription = subscribe('sse', server.url, IMAGE_EVENTS, { since: 'yesterday' });
    await subscription.ended;
    assert.equal(subscription.errors[0]?.extensions?.code, 'BAD_USER_INPUT');
  });
});

describe('the event log and transactions', () => {
  it('when an import call fails, then none of its images has an event', async () => {
    const before = (await allEvents()).length;
    const config = makeConfig(['rolled-back']);
    const answer = await server.gql(IMPORT, {
      images: [
        { config },
        { config: makeConfig(['rolled-back', 'child']), parent: `sha256:${'0'.repeat(64)}` },
      ],
    });
    assert.equal(onlyError(answer).code, 'NOT_FOUND');
    assert.equal((await allEvents()).length, before);
    const imported = await server.data(IMPORT, { images: [{ config, references: ['kept:1'] }] });
    assert.equal(imported.importImages.created, 1);
    const events = (await allEvents()).slice(before);
    assert.deepEqual(
      events.map((event) => [event.type, event.reference]),
      [
        ['IMPORT', null],
        ['TAG', 'kept:1'],
      ],
    );
  });

  it('when a delete is refused, then it leaves no event', async () => {
    const before = (await allEvents()).length;
    const answer = await server.gql(DELETE, { id: `sha256:${'1'.repeat(64)}` });
    assert.equal(onlyError(answer).code, 'NOT_FOUND');
    assert.equal((await allEvents()).length, before);
  });

  it('events pages: filtered by type and time, with a total', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const id = await server.create(makeConfig(['paged', diffId('x')]));
    const { events } = await server.data(EVENTS, { first: 1000, since, types: ['CREATE'] });
    assert.ok(events.edges.some((edge: { node: { imageId: string } }) => edge.node.imageId === id));
    assert.ok(
      events.edges.every((edge: { node: { type: string } }) => edge.node.type === 'CREATE'),
    );
    assert.ok(events.totalCount >= 1);
  });
});

describe('subscriptions and the read token', () => {
  const guarded = useTestServer({}, { readToken: 'read-secret' });
  for (const transport of ['sse', 'ws'] as Transport[]) {
    it(`when a subscriber over ${transport} sends no token, then UNAUTHENTICATED; with it, events`, async () => {
      const refused = subscribe(transport, guarded.url, IMAGE_EVENTS);
      await refused.ended;
      assert.equal(
        refused.errors[0]?.extensions?.code,
        'UNAUTHENTICATED',
        JSON.stringify(refused.errors),
      );
      assert.deepEqual(refused.events, []);
      const id = await guarded.create(makeConfig([`guarded-${transport}`]));
      const image = id;
      const allowed = subscribe(
        transport,
        guarded.url,
        IMAGE_EVENTS,
        { since: '0.0', image },
        'read-secret',
      );
      await allowed.received(1);
      allowed.stop();
      assert.equal(allowed.events[0].imageId, id);
    });
  }
});

describe('event retention', () => {
  const brief = useTestServer({}, { eventRetention: 1 });
  it('when events are older than the retention, then they are removed, and since before them is EVENTS_EXPIRED with the oldest cursor still available', async () => {
    const old = await brief.create(makeConfig(['expiring']));
    const [first] = await allEvents(brief);
    assert.equal(first.imageId, old);
    // Removed within the retention and half of it again.
    const deadline = performance.now() + 10_000;
    while ((await allEvents(brief)).length > 0) {
      assert.ok(performance.now() < deadline, 'the expired event was never removed');
      await sleep(100);
    }
    const fresh = await brief.create(makeConfig(['kept']));
    const expired = subscribe('sse', brief.url, IMAGE_EVENTS, { since: '0.0' });
    await expired.ended;
    assert.equal(expired.errors[0]?.extensions?.code, 'EVENTS_EXPIRED');
    const oldest = expired.errors[0]?.extensions?.oldestCursor as string;
    assert.equal(oldest, first.cursor);
    const paged = await brief.gql(EVENTS, { after: '0.0' });
    assert.equal(onlyError(paged).code, 'EVENTS_EXPIRED');
    const resumed = subscribe('ws', brief.url, IMAGE_EVENTS, { since: oldest });
    await resumed.received(1);
    resumed.stop();
    assert.equal(resumed.events[0].imageId, fresh);
  });
});
