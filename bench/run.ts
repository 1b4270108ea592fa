import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { digestOf } from '../src/domain/digest.js';
import { createImageStore } from '../src/store/image-store.js';
import { migrate } from '../src/store/migrate.js';
import { connect } from '../src/store/pool.js';
import { startProcess } from '../test/support/process.js';
import { countImages, findTargets, QUERIES, q1Floor, q5Floor } from './cases.js';
import { benchEvents } from './events.js';
import { generateForest } from './forest.js';
import { drive, graphqlClient, type Measured } from './load.js';
import { comparePeer, startPeer } from './peer.js';
import { seed, seedNames } from './seed.js';

// `npm run bench -- [--images 100000] [--seconds 5] [--peer <peer-bench folder>]`: seeds a database once (kept for
// later runs), starts the real server on it, and prints one table. Client, server and
// PostgreSQL share this machine's cores.
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    peer: { type: 'string' },
  },
});
const images = Number(values.images);
const seconds = Number(values.seconds);
const forestSeed = Number(values.seed);
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/imagestore_bench';

await ensureDatabase(url);
const sql = connect(url, { max: 8 });
await migrate(sql);
await ensureSeeded();
const targets = await findTargets(sql);
const server = await startServer();
const client = graphqlClient(server.url, 8);
const rows: string[][] = [];
/** The server's peak RSS over each stretch of the run (see newPeak). */
const peaks: number[] = [];

// Side by side with PostGraphile, first, while the store is as seeded.
const peerTable: string[] = [];
if (values.peer) {
  const peer = await startPeer(values.peer, url);
  try {
    peerTable.push(
      ...(await comparePeer({
        ours: { url: server.url, statements },
        peer,
        q1Base: targets.q1Base,
        sample: targets.sample,
        seconds,
      })),
    );
  } finally {
    peer.stop();
  }
}

const peerPeak = newPeak(server.pid);

console.log(
  `\nQ1 base ${targets.q1Base.slice(7, 19)} (${targets.q1Size} images 5 levels down), ` +
    `deepest ${targets.deepest.slice(7, 19)}, largest base ${targets.largestBase.slice(7, 19)}, ` +
    `Q8 lineage root ${targets.q8Root.slice(7, 19)} (${targets.q8Size} images 5 levels down)`,
);

const reads: [string, string, (call: number) => Record<string, unknown>][] = [
  ['Q1', QUERIES.Q1, () => ({ id: targets.q1Base })],
  [
    'Q2',
    QUERIES.Q2,
    (call) => ({ id: targets.sample[call % targets.sample.length]!.slice(7, 19) }),
  ],
  ['Q3', QUERIES.Q3, () => ({})],
  ['Q4', QUERIES.Q4, () => ({ id: targets.deepest })],
  ['Q5', QUERIES.Q5, () => ({ id: targets.largestBase })],
  ['Q6', QUERIES.Q6, () => ({})],
  ['Q7', QUERIES.Q7, (call) => ({ name: targets.tags[call % targets.tags.length] })],
  ['Q8', QUERIES.Q8, () => ({ id: targets.q8Root })],
  ['C1 count of images', QUERIES.C1, () => ({})],
  ['C2 count of heads', QUERIES.C2, () => ({})],
];
for (const [name, query, variables] of reads) {
  const returned = countImages(await client.post(query, variables(0)));
  for (const concurrency of [1, 8]) {
    await record(name, concurrency, returned, () =>
      drive(concurrency, seconds, async (call) => void (await client.post(query, variables(call)))),
    );
  }
  const floors: Record<string, [(sql: postgres.Sql, id: string) => unknown, string]> = {
    Q1: [q1Floor, targets.q1Base],
    Q5: [q5Floor, targets.largestBase],
    Q8: [(sql, id) => q1Floor(sql, id, 'base_id'), targets.q8Root],
  };
  const [floor, target] = floors[name] ?? [null, ''];
  if (floor) {
    for (const concurrency of [1, 8]) {
      const measured = await drive(
        concurrency,
        seconds,
        async () => void (await floor(sql, target)),
      );
      rows.push(row(`${name} raw SQL floor`, concurrency, measured, '1', String(returned), ''));
    }
  }
}

// Writes: new configs, then parents for them, then deleting them again (they are
// leaves), which leaves the seeded forest as it was.
const fresh = generateForest({ images: 200_000, seed: forestSeed + 1000 });
const created: string[] = [];
const CREATE = 'mutation W1($c: String!) { createImage(config: $c) { image { id } } }';
for (const concurrency of [1, 8]) {
  await record('W1 createImage', concurrency, 1, () =>
    drive(concurrency, seconds, async () => {
      const { createImage } = await client.post(CREATE, { c: fresh.next().value!.rawConfig });
      created.push(createImage.image.id);
    }),
  );
}
// E1: the same creates with 200 subscribers on two instances, this one and a second.
newPeak(server.pid);
const second = await startServer();
const e1 = await benchEvents(
  [server.url, second.url],
  200,
  seconds,
  () => fresh.next().value!.rawConfig,
);
second.stop();
created.push(...e1.created);
const w1Alone = Number(rows.find((r) => r[0] === 'W1 createImage' && r[1] === '8')![2]);
rows.push(
  row('W1 createImage, 200 subscribers (E1)', 8, e1.writes, '', '1', mb(newPeak(server.pid))),
);
const eventsLine =
  `E1: ${e1.subscribers} subscribers over 2 instances, W1 at concurrency 8: ` +
  `${e1.deliveredPerSecond.toFixed(0)} events delivered/s, commit to receipt p50 ` +
  `${e1.p50.toFixed(1)} ms, p99 ${e1.p99.toFixed(1)} ms, ${e1.lost} lost; W1 with subscribers ` +
  `/ without: ${(e1.writes.perSecond / w1Alone).toFixed(2)}`;
const SET_PARENT =
  'mutation W2($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }';
for (const concurrency of [1, 8]) {
  await record('W2 setParent', concurrency, 1, () =>
    drive(concurrency, seconds, (call) =>
      client.post(SET_PARENT, {
        id: created[call % created.length],
        p: targets.sample[call % targets.sample.length],
      }),
    ),
  );
}
const DELETE = 'mutation W3($id: String!) { deleteImage(id: $id) { releasedLayers { chainId } } }';
let deleted = 0;
for (const concurrency of [1, 8]) {
  await record('W3 deleteImage', concurrency, 1, () =>
    drive(
      concurrency,
      seconds,
      () => client.post(DELETE, { id: created[deleted++] }),
      created.length - deleted,
    ),
  );
}
while (deleted < created.length) await client.post(DELETE, { id: created[deleted++] });

// Memory: peak so far, then resident size after rounds of Q1, which must stay flat.
const rounds: number[] = [];
for (let round = 0; round < 6; round++) {
  await drive(8, 60, async () => void (await client.post(QUERIES.Q1, { id: targets.q1Base })), 100);
  rounds.push(memory(server.pid).rss);
}
const q1RoundsPeak = newPeak(server.pid);
const peak = Math.max(...peaks);

console.log(
  `\n${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
    'client, server and PostgreSQL share them.',
);
console.log(`${images} images; ${seconds} s per case.\n`);
console.log(
  '| case | concurrency | requests/s | p50 ms | p99 ms | SQL statements/request | images/request | ' +
    'server peak RSS MB |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const line of rows) console.log(`| ${line.join(' | ')} |`);
const ratio = (name: string) => {
  const p50 = (label: string) => Number(rows.find((r) => r[0] === label && r[1] === '1')![3]);
  return (p50(name) / p50(`${name} raw SQL floor`)).toFixed(2);
};
console.log(`\nQ1 p50 / raw SQL floor p50: ${ratio('Q1')}; Q5: ${ratio('Q5')}; Q8: ${ratio('Q8')}`);
console.log(eventsLine);
if (peerTable.length > 0) {
  console.log('\nThis server and PostGraphile, one client (autocannon), in turn:\n');
  for (const line of peerTable) console.log(line);
}
console.log(
  `server peak RSS ${mb(peak)} MB (beside PostGraphile: ${mb(peerPeak)} MB; over the rounds ` +
    `of Q1: ${mb(q1RoundsPeak)} MB); ` +
    `RSS after each of 6 rounds of 100 Q1 requests: ${rounds.map(mb).join(', ')} MB`,
);

await client.close();
server.stop();
await sql.end();

async function record(
  name: string,
  concurrency: number,
  returned: number,
  run: () => Promise<Measured>,
) {
  const before = await statements();
  newPeak(server.pid);
  const measured = await run();
  const peak = newPeak(server.pid);
  const perRequest = (await statements()) - before;
  rows.push(
    row(
      name,
      concurrency,
      measured,
      (perRequest / measured.requests).toFixed(1),
      String(returned),
      mb(peak),
    ),
  );
  process.stdout.write('.');
}

function row(
  name: string,
  concurrency: number,
  m: Measured,
  sqlPerRequest: string,
  returned: string,
  peakRss: string,
): string[] {
  return [
    name,
    String(concurrency),
    m.perSecond.toFixed(0),
    m.p50.toFixed(2),
    m.p99.toFixed(2),
    sqlPerRequest,
    returned,
    peakRss,
  ];
}

async function statements(): Promise<number> {
  const text = await client.text('/metrics');
  return Number(/^imagestore_sql_statements_total (\d+)/m.exec(text)?.[1]);
}

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * The server's peak RSS since the last call, after which a new peak starts
 * (Linux resets VmHWM when 5 is written to clear_refs): so each case shows
 * its own.
 */
function newPeak(pid: number): number {
  const { peak } = memory(pid);
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  peaks.push(peak);
  return peak;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

async function ensureDatabase(target: string): Promise<void> {
  const name = new URL(target).pathname.slice(1);
  const admin = postgres(Object.assign(new URL(target), { pathname: '/postgres' }).toString(), {
    max: 1,
    onnotice: () => {},
  });
  const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
  if (!exists) await admin`create database ${admin(name)}`;
  await admin.end();
}

/** Seeds the forest unless the database already holds exactly it. */
async function ensureSeeded(): Promise<void> {
  const first = generateForest({ images: 1, seed: forestSeed }).next().value!;
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from images`;
  const count = row!.count;
  const store = createImageStore(sql);
  const [found] = await store.images([digestOf(first.rawConfig)]);
  if (count === images && found) {
    if ((await store.countReferences(null)) > 0) return;
    console.log('tagging the seeded images (the database is kept for later runs)');
    const ids = [...generateForest({ images, seed: forestSeed })].map((image) =>
      digestOf(image.rawConfig),
    );
    await seedNames(store, ids, forestSeed);
    await sql`vacuum analyze`;
    return;
  }
  console.log(`seeding ${images} images (seed ${forestSeed}); the database is kept for later runs`);
  await sql`truncate images, image_layers, layers, image_references, image_events`;
  const rate = await seed(store, { images, seed: forestSeed });
  console.log(`seeded at ${Math.round(rate)} images/s`);
  await sql`vacuum analyze`;
}

/** The real server on the benchmark database, run as the Docker image runs it. */
async function startServer(): Promise<{ url: string; pid: number; stop: () => void }> {
  const server = await startProcess(
    { NODE_ENV: 'production', DATABASE_URL: url },
    undefined,
    undefined,
    { keepOutput: false },
  );
  return { url: server.url, pid: server.child.pid!, stop: () => void server.stop() };
}
