import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createHttpServer, type HttpServer } from '../src/server/http-server.js';
import { connect, type Sql } from '../src/store/pool.js';
import { makeConfig } from './support/configs.js';
import { freshDatabase, serverUrl } from './support/database.js';
import { type Subscription, subscribe, type Transport } from './support/subscriptions.js';

// Several server instances on one PostgreSQL database, writers spread over
// them, a subscriber on each: every committed event reaches every subscriber
// once, in one order, the order Query.events gives.

const INSTANCES = 3;
const WRITERS = 16;
const WRITE_SECONDS = 3;
const TRANSPORTS: Transport[] = ['sse', 'ws', 'sse'];
const IMAGE_EVENTS = `subscription ($since: String) {
  imageEvents(since: $since) { cursor type imageId }
}`;
const EVENTS = `query ($after: String) {
  events(first: 1000, after: $after) {
    edges { node { cursor type imageId } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE = 'mutation ($c: String!) { createImage(config: $c) { image { id } } }';
const TAG =
  'mutation ($i: String!, $r: String!) { tagImage(image: $i, reference: $r) { image { id } } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deleted } }';

interface Instance {
  url: string;
  http: HttpServer;
  sql: Sql;
}

const skip = serverUrl === null && 'several instances need a PostgreSQL server';

describe('event delivery across instances', { skip }, () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const instances: Instance[] = [];
  before(async () => {
    db = await freshDatabase();
    for (let i = 0; i < INSTANCES; i++) {
      const sql = connect(db.url!);
      const http = createHttpServer({ sql, logger: pino({ level: 'silent' }) });
      await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
      const { port } = http.server.address() as AddressInfo;
      instances.push({ url: `http://127.0.0.1:${port}/graphql`, http, sql });
    }
  });
  after(async () => {
    for (const { http, sql } of instances) {
      await http.close();
      http.server.closeAllConnections();
      await new Promise((resolve) => http.server.close(resolve));
      await sql.end();
    }
    await db.close();
  });

  async function post(instance: Instance, query: string, variables: Record<string, unknown>) {
    const response = await fetch(instance.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as { data?: any; errors?: unknown[] };
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data;
  }

  /** Query.events, every page, from one instance. */
  async function logged(since: string) {
    const events: { cursor: string }[] = [];
    let afterCursor: string | null = since;
    for (;;) {
      const { events: page } = await post(instances[0]!, EVENTS, { after: afterCursor });
      events.push(...page.edges.map((edge: { node: { cursor: string } }) => edge.node));
      if (!page.pageInfo.hasNextPage) return events;
      afterCursor = page.pageInfo.endCursor;
    }
  }

  /** Writers round-robin over the instances for a few seconds: creates, tags, deletes. */
  async function write(round: string, during: (elapsedMs: number) => Promise<void>) {
    const started = performance.now();
    const stopAt = started + WRITE_SECONDS * 1000;
    let calls = 0;
    const writers = Array.from({ length: WRITERS }, async (_, writer) => {
      for (let n = 0; performance.now() < stopAt; n++) {
        const instance = () => instances[calls++ % INSTANCES]!;
        const config = makeConfig(
          [`${round}`, `${round}-${writer}-${n}`],
          `${round} ${writer} ${n}`,
        );
        const { createImage } = await post(instance(), CREATE, { c: config });
        const id = createImage.image.id;
        if (n % 2 === 0) await post(instance(), TAG, { i: id, r: `${round}/w${writer}:${n}` });
        if (n % 3 === 0) await post(instance(), DELETE, { id });
      }
    });
    let checks = Promise.resolve();
    const timer = setInterval(() => {
      checks = checks.then(() => during(performance.now() - started));
    }, 250);
    await Promise.all(writers);
    clearInterval(timer);
    await checks;
  }

  /** Waits until a subscription has seen the whole log's tail, then checks it is that tail. */
  async function assertGotAll(
    subscription: Subscription,
    expected: { cursor: string }[],
    who: string,
  ) {
    await subscription.received(expected.length, 20_000);
    await sleep(200);
    const cursors = subscription.events.map((event) => event.cursor);
    assert.equal(new Set(cursors).size, cursors.length, `${who}: an event came twice`);
    assert.deepEqual(
      cursors,
      expected.map((event) => event.cursor),
      `${who}: not the log's order`,
    );
  }

  async function startCursor() {
    return (await logged('0.0')).at(-1)?.cursor ?? '0.0';
  }

  for (const round of ['round-1', 'round-2']) {
    it(`${round}: when 16 writers write through 3 instances, then a subscriber on each gets every event once, in the order of Query.events`, async () => {
      const since = await startCursor();
      const subscriptions = instances.map((instance, i) =>
        subscribe(TRANSPORTS[i]!, instance.url, IMAGE_EVENTS, { since }),
      );
      await write(round, async () => {});
      const expected = await logged(since);
      assert.ok(expected.length > 100, `only ${expected.length} events were written`);
      for (const [i, subscription] of subscriptions.entries()) {
        await assertGotAll(subscription, expected, `instance ${i} over ${TRANSPORTS[i]}`);
        subscription.stop();
      }
    });
  }

  it('when a subscriber disconnects mid-run and resumes with since its last cursor, then it misses nothing and repeats nothing', async () => {
    const since = await startCursor();
    let first: Subscription | null = subscribe('sse', instances[1]!.url, IMAGE_EVENTS, { since });
    const parts: Subscription[] = [first];
    let resumed = null as Subscription | null;
    await write('resume', async (elapsed) => {
      if (first && elapsed > 1000) {
        first.stop();
        const last = first.events.at(-1)?.cursor ?? since;
        first = null;
        await sleep(300);
        resumed = subscribe('ws', instances[2]!.url, IMAGE_EVENTS, { since: last });
        parts.push(resumed);
      }
    });
    const expected = await logged(since);
    assert.ok(resumed, 'the subscriber never resumed');
    const before = parts[0]!.events.length;
    assert.ok(before > 0, 'the first subscription saw nothing before it was stopped');
    await assertGotAll(resumed!, expected.slice(before), 'the resumed subscriber');
    resumed!.stop();
    assert.deepEqual(
      parts[0]!.events.map((event) => event.cursor),
      expected.slice(0, before).map((event) => event.cursor),
    );
  });

  it("when the instances' LISTEN connections are terminated mid-run, then they listen again and every event still arrives", async () => {
    const since = await startCursor();
    const subscriptions = instances.map((instance, i) =>
      subscribe(TRANSPORTS[i]!, instance.url, IMAGE_EVENTS, { since }),
    );
    let terminated = 0;
    await write('terminate', async (elapsed) => {
      if (terminated === 0 && elapsed > 1000) {
        const rows = await db.sql`
          select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'imagestore-events' and datname = current_database()`;
        terminated = rows.length;
      }
    });
    assert.equal(terminated, INSTANCES, 'one LISTEN connection per instance');
    const expected = await logged(since);
    for (const [i, subscription] of subscriptions.entries()) {
      await assertGotAll(subscription, expected, `instance ${i} over ${TRANSPORTS[i]}`);
      subscription.stop();
    }
    const [listening] = await db.sql<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity
      where application_name = 'imagestore-events' and datname = current_database()`;
    assert.equal(listening!.count, INSTANCES, 'each instance listens again');
  });
});
