import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { digestOf } from '../src/domain/digest.js';
import { type HistoryEntry, parseImageConfig } from '../src/domain/image-config.js';
import { lineageKeyOf, lineageOf } from '../src/domain/lineage.js';
import { verifyStore } from '../src/store/verify.js';
import { seededRandom } from './chaos/workload.js';
import { diffId, makeConfig } from './support/configs.js';
import { serverUrl } from './support/database.js';
import { useTestServer } from './support/harness.js';

const server = useTestServer();
const CREATE = 'mutation ($config: String!) { createImage(config: $config) { image { id } } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';
const LIST = `query ($after: String) {
  images(first: 100, after: $after, filter: { label: ["lineage-races"] }) {
    edges { node { id base { id } derived { id } } }
    pageInfo { hasNextPage endCursor } } }`;

// A failing run replays with LINEAGE_RACES_SEED set to the seed its messages print.
const SEED = Number(process.env.LINEAGE_RACES_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROUNDS = Number(process.env.LINEAGE_RACES_ROUNDS ?? 32);
// Rounds run this many at a time; each has a first layer, so a lineage lock, of its own.
const WAVE = Number(process.env.LINEAGE_RACES_WAVE ?? 4);

/** One config of a round's family, by a name that failure messages show. */
interface Member {
  name: string;
  raw: string;
  id: string;
}

// Created times to draw from: two spellings of one instant make equal times.
const TIMES = ['2024-05-01T12:00:00Z', '2024-05-01T14:00:00+02:00', '2024-05-01T12:00:01Z', null];

/**
 * The family of one round, on the chain race-{round}-L1..L5 (one member
 * branches off after L1; some rounds add two without layers): equal chains
 * whose histories extend each other, equal histories, histories that are
 * nobody's prefix, and created times drawn from TIMES, so many are equal.
 */
function family(round: number, random: () => number): Member[] {
  const layer = (name: string) => `race-${round}-${name}`;
  const chain = (length: number) => ['L1', 'L2', 'L3', 'L4', 'L5'].slice(0, length).map(layer);
  const step = (by: string): HistoryEntry => ({
    created: '2024-05-01T11:00:00Z',
    created_by: by,
  });
  const env: HistoryEntry = { created_by: 'ENV A=1', empty_layer: true };
  const cmd: HistoryEntry = { created_by: 'CMD ["sh"]', empty_layer: true };
  const steps = (...bys: string[]) => bys.map(step);
  const main = ['RUN 1', 'RUN 2', 'RUN 3', 'RUN 4', 'RUN 5'];
  // Images without layers are candidate bases of every image, of every
  // round: every fourth round has two, which lock the whole forest.
  const bare: [string, string[], HistoryEntry[]][] = [
    ['none', [], []],
    ['none+env', [], [env]],
  ];
  const shapes: [string, string[], HistoryEntry[]][] = [
    ...(round % 4 === 3 ? bare : []),
    ['a1', chain(1), steps('RUN 1')],
    // The same history as a1's, written with zero values and another offset.
    [
      'a1-zeros',
      chain(1),
      [
        {
          created: '2024-05-01T13:00:00+02:00',
          created_by: 'RUN 1',
          author: '',
          comment: '',
          empty_layer: false,
        },
      ],
    ],
    ['a1+env', chain(1), [...steps('RUN 1'), env]],
    ['a1+env+cmd', chain(1), [...steps('RUN 1'), env, cmd]],
    ['a1-alt', chain(1), steps('RUN 1 alt')],
    ['a2', chain(2), steps(...main.slice(0, 2))],
    ['a2-twin', chain(2), steps(...main.slice(0, 2))],
    ['a2-alt', chain(2), steps('RUN 1', 'RUN 2 alt')],
    ['a3', chain(3), steps(...main.slice(0, 3))],
    ['a3-foreign', chain(3), steps('X 1', 'X 2', 'X 3')],
    ['b3', [layer('L1'), layer('B2'), layer('B3')], steps('RUN 1', 'B 2', 'B 3')],
    ['a4', chain(4), steps(...main.slice(0, 4))],
    ['a4+env', chain(4), [...steps(...main.slice(0, 4)), env]],
    ['a5', chain(5), steps(...main)],
    ['a5-alt', chain(5), steps('RUN 1', 'RUN 2 alt', 'RUN 3', 'RUN 4', 'RUN 5')],
  ];
  return shapes.map(([name, layers, history]) => {
    const created = TIMES[Math.floor(random() * TIMES.length)];
    const raw = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      ...(created === null ? {} : { created }),
      comment: name,
      config: { Labels: { 'lineage-races': String(round) } },
      rootfs: { type: 'layers', diff_ids: layers.map(diffId) },
      history,
    });
    return { name: `r${round}/${name}`, raw, id: digestOf(raw) };
  });
}

function pick<T>(items: readonly T[], share: number, random: () => number): T[] {
  return items.filter(() => random() < share);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

type Op = { op: 'create' | 'delete'; member: Member };
type State = 'stored' | 'gone' | 'either';

/**
 * What one round does, phase by phase, each phase's operations all at once:
 * creates first, then twice deletes of images surely stored with creates
 * of any member (one being deleted too). And what each member is after it.
 */
interface Plan {
  round: number;
  own: Member[];
  phases: Op[][];
  /** A member deleted as it was created again may be there or not: both are right. */
  after: Map<Member, State>;
}

/** Draws a round's choices; all of them before anything runs, so a seed replays. */
function plan(round: number, random: () => number): Plan {
  const own = family(round, random);
  const after = new Map<Member, State>(own.map((member) => [member, 'gone']));
  const first = pick(own, 0.6, random);
  for (const member of first) after.set(member, 'stored');
  const phases: Op[][] = [first.map((member) => ({ op: 'create', member }))];
  for (let phase = 0; phase < 2; phase++) {
    const doomed = pick(
      own.filter((member) => after.get(member) === 'stored'),
      0.5,
      random,
    );
    const again = pick(own, 0.3, random);
    for (const member of doomed) after.set(member, again.includes(member) ? 'either' : 'gone');
    for (const member of again) if (!doomed.includes(member)) after.set(member, 'stored');
    const ops: Op[] = [
      ...doomed.map((member) => ({ op: 'delete' as const, member })),
      ...again.map((member) => ({ op: 'create' as const, member })),
    ];
    phases.push(shuffle(ops, random));
  }
  return { round, own, phases, after };
}

function describePlan({ round, phases }: Plan): string {
  const phase = (ops: Op[]) => ops.map(({ op, member }) => `${op} ${member.name}`).join(', ');
  return `round ${round}: ${phases.map((ops) => `[${phase(ops)}]`).join(' then ')}`;
}

async function run({ phases }: Plan, replay: string): Promise<void> {
  for (const ops of phases) {
    await Promise.all(
      ops.map(async ({ op, member }) => {
        const answer =
          op === 'create'
            ? await server.gql(CREATE, { config: member.raw })
            : await server.gql(DELETE, { id: member.id });
        const failed = `${replay}${op} ${member.name}: ${JSON.stringify(answer.errors)}`;
        assert.equal(answer.errors, undefined, failed);
        const id = answer.data.createImage?.image.id ?? answer.data.deleteImage.deletedImageId;
        assert.equal(id, member.id, replay);
      }),
    );
  }
}

interface Listed {
  id: string;
  base: { id: string } | null;
  derived: { id: string }[];
}

interface Page {
  images: { edges: { node: Listed }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
}

/** Every image of every round so far, with its base and derived images, page by page. */
async function listAll(): Promise<Listed[]> {
  const all: Listed[] = [];
  let after: string | null = null;
  for (;;) {
    const { images }: Page = await server.data<Page>(LIST, { after });
    all.push(...images.edges.map((edge) => edge.node));
    if (!images.pageInfo.hasNextPage) return all;
    after = images.pageInfo.endCursor;
  }
}

describe('lineage races', () => {
  it('when creates and deletes of one chain race, then bases are as if one by one', async () => {
    const random = seededRandom(SEED).next;
    const members = new Map<string, Member>();
    const named = (id: string | null) => (id === null ? null : (members.get(id)?.name ?? id));
    for (let start = 0; start < ROUNDS; start += WAVE) {
      const rounds = Array.from({ length: Math.min(WAVE, ROUNDS - start) }, (_, i) => start + i);
      const plans = rounds.map((round) => plan(round, random));
      for (const member of plans.flatMap((p) => p.own)) members.set(member.id, member);
      const steps = plans.map(describePlan).join('\n');
      const replay = `seed ${SEED} (LINEAGE_RACES_SEED), rounds ${rounds.join(' ')}:\n${steps}\n`;
      await Promise.all(plans.map((p) => run(p, replay)));

      const listed = await listAll();
      const stored = new Set(listed.map((image) => image.id));
      for (const { own, after } of plans) {
        for (const member of own) {
          const state = after.get(member);
          if (state === 'stored')
            assert.ok(stored.has(member.id), `${replay}${member.name} is gone`);
          if (state === 'gone')
            assert.ok(!stored.has(member.id), `${replay}${member.name} is stored`);
        }
      }

      const expected = lineageOf(
        [...stored].map((id) => lineageKeyOf(id, parseImageConfig(members.get(id)!.raw))),
      );
      const actualBases = Object.fromEntries(
        listed.map((image) => [named(image.id), named(image.base?.id ?? null)]),
      );
      const expectedBases = Object.fromEntries(
        [...expected].map(([id, base]) => [named(id), named(base)]),
      );
      assert.deepEqual(actualBases, expectedBases, `${replay}bases differ`);
      const actualDerived = Object.fromEntries(
        // Other tests' images may be built on this family's images without layers.
        listed.map((image) => [
          named(image.id),
          image.derived.filter((d) => stored.has(d.id)).map((d) => named(d.id)),
        ]),
      );
      const expectedDerived = Object.fromEntries(
        listed.map((image) => [
          named(image.id),
          [...expected]
            .filter(([, base]) => base === image.id)
            .map(([id]) => id)
            .sort()
            .map(named),
        ]),
      );
      assert.deepEqual(actualDerived, expectedDerived, `${replay}derived images differ`);
    }
    assert.deepEqual(await verifyStore(server.sql), [], `seed ${SEED}`);
  });
});

/** Waits until this many writers of this database wait for an advisory (lineage) lock. */
async function lineageWaiters(count: number): Promise<void> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const [row] = await server.sql<{ waiting: number }[]>`
      select count(*)::int as waiting from pg_locks
      where locktype = 'advisory' and not granted
        and database = (select oid from pg_database where datname = current_database())`;
    if (row!.waiting >= count) return;
    assert.ok(performance.now() < deadline, `${count} writers never waited for the lineage lock`);
    await sleep(5);
  }
}

/**
 * Holds the lineage lock of the chain whose first layer is `layer` while the
 * writes start one by one, each queued behind it before the next starts; then
 * lets them go, in that order. Gives how long each took after that, in ms.
 */
async function queuedOnLineage(layer: string, writes: (() => Promise<unknown>)[]) {
  let released = 0;
  const done: Promise<number>[] = [];
  await server.sql.begin(async (tx) => {
    await tx`select lock_lineage(${[diffId(layer)]}::text[])`;
    for (const write of writes) {
      done.push(write().then(() => Math.round(performance.now() - released)));
      await lineageWaiters(done.length);
    }
    released = performance.now();
  });
  return Promise.all(done);
}

// Writers that wait for each other in a cycle wait deadlock_timeout (1 s by
// default) before PostgreSQL ends one, which then runs again: that is slow.
const PROMPT_MS = 500;
const BASE = 'query ($id: String!) { image(id: $id) { base { id } } }';
const skip = serverUrl === null && 'the embedded database has one connection: writers never wait';

describe('lineage lock order', () => {
  it('when an image and the one built on it are deleted at once, then no deadlock', {
    skip,
  }, async () => {
    const base = await server.create(makeConfig(['order-a1'], 'deleted first'));
    const top = await server.create(makeConfig(['order-a1', 'order-a2'], 'deleted second'));
    assert.deepEqual((await server.data(BASE, { id: top })).image.base, { id: base });
    const ms = await queuedOnLineage('order-a1', [
      () => server.data(DELETE, { id: base }),
      () => server.data(DELETE, { id: top }),
    ]);
    assert.ok(Math.max(...ms) < PROMPT_MS, `the deletes took ${ms} ms: a deadlock`);
    for (const id of [base, top])
      assert.equal((await server.data(BASE, { id })).image, null, 'both are deleted');
  });

  it('when an image is created below one being deleted, then no deadlock', { skip }, async () => {
    const base = await server.create(makeConfig(['order-b1'], 'stays'));
    const top = await server.create(makeConfig(['order-b1', 'order-b2', 'order-b3'], 'deleted'));
    const middle = makeConfig(['order-b1', 'order-b2'], 'created between');
    const ms = await queuedOnLineage('order-b1', [
      () => server.create(middle),
      () => server.data(DELETE, { id: top }),
    ]);
    assert.ok(Math.max(...ms) < PROMPT_MS, `the writes took ${ms} ms: a deadlock`);
    assert.deepEqual((await server.data(BASE, { id: digestOf(middle) })).image.base, { id: base });
    assert.equal((await server.data(BASE, { id: top })).image, null, 'the top is deleted');
  });
});
