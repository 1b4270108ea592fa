import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { startProcess } from '../test/support/process.js';
import { generateForest } from './forest.js';
import { drive, graphqlClient } from './load.js';

// `npm run bench:writes -- --baseline <commit> [--images 20000] [--seconds 5] [--rounds 3]`:
// W1 createImage on this checkout and on another commit in one run. Each build
// seeds its own database with its own seed script (the same forest), runs its own
// server, and the two take turns, round after round, on the same stream of new
// configs: what a change costs a write, as a ratio the machine's noise cannot fake.
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    images: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
  },
});
if (!values.baseline) {
  console.error('usage: npm run bench:writes -- --baseline <commit> [--images N]');
  process.exit(2);
}
const here = fileURLToPath(new URL('..', import.meta.url));
const there = mkdtempSync(join(tmpdir(), 'imagestore-baseline-'));
execFileSync('git', ['worktree', 'add', '--detach', there, values.baseline], { cwd: here });
// The baseline runs with this checkout's dependencies when it has the same ones.
const lock = (dir: string) => readFileSync(join(dir, 'package-lock.json'), 'utf8');
if (lock(there) === lock(here))
  symlinkSync(join(here, 'node_modules'), join(there, 'node_modules'));
else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: there, stdio: 'inherit' });
const admin = postgres('postgres://postgres@127.0.0.1:5432/postgres', { onnotice: () => {} });
const builds = [
  { name: `baseline ${values.baseline}`, dir: there, database: 'imagestore_writes_baseline' },
  { name: 'this checkout', dir: here, database: 'imagestore_writes_current' },
];
const servers = [];
try {
  for (const build of builds) {
    await admin.unsafe(`drop database if exists ${build.database} with (force)`);
    await admin.unsafe(`create database ${build.database}`);
    const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${build.database}` };
    const seeded = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/seed.ts', '--images', values.images],
      { cwd: build.dir, env: { ...process.env, ...env }, stdio: 'inherit' },
    );
    if (seeded.status !== 0) throw new Error(`seeding ${build.name} failed`);
    const server = await startProcess(
      { ...env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      undefined,
      build.dir,
    );
    servers.push({ ...build, server, client: graphqlClient(server.url, 8) });
  }
  const CREATE = 'mutation W1($c: String!) { createImage(config: $c) { image { id } } }';
  const fresh = generateForest({ images: 1_000_000, seed: 4242 });
  const MAX_PER_ROUND = 2_000 * Number(values.seconds);
  const rates = new Map<string, number[]>();
  // A first round for each build that is not counted: the servers' first
  // seconds (code warming up, plans prepared) ran a third slower than the rest.
  for (let round = -1; round < Number(values.rounds); round++) {
    for (const { name, client } of servers) {
      for (const concurrency of [1, 8]) {
        // Made before the clock starts: generating configs on the shared cores
        // while timing would dilute the difference between the builds.
        const configs = Array.from({ length: MAX_PER_ROUND }, () => fresh.next().value!.rawConfig);
        const measured = await drive(
          concurrency,
          Number(values.seconds),
          async (call) => void (await client.post(CREATE, { c: configs[call]! })),
          MAX_PER_ROUND,
        );
        if (round < 0) continue;
        const key = `${name}\t${concurrency}`;
        rates.set(key, [...(rates.get(key) ?? []), measured.perSecond]);
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log('\n| build | concurrency | W1 creates/s (mean of rounds) | rounds |');
  console.log('|---|---:|---:|---|');
  for (const [key, xs] of rates) {
    const [name, concurrency] = key.split('\t');
    const list = xs.map((x) => x.toFixed(0)).join(', ');
    console.log(`| ${name} | ${concurrency} | ${mean(xs).toFixed(0)} | ${list} |`);
  }
  // Per round, the two builds ran a few seconds apart: the median of the
  // rounds' ratios is steadier than the ratio of means when the machine's load drifts.
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const concurrency of [1, 8]) {
    const ours = rates.get(`${builds[1]!.name}\t${concurrency}`)!;
    const theirs = rates.get(`${builds[0]!.name}\t${concurrency}`)!;
    const ratios = ours.map((x, i) => x / theirs[i]!);
    console.log(
      `this checkout / baseline at concurrency ${concurrency}: ${(mean(ours) / mean(theirs)).toFixed(2)} ` +
        `(means), ${median(ratios).toFixed(2)} (median of rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    );
  }
} finally {
  for (const { server } of servers) await server.stop();
  execFileSync('git', ['worktree', 'remove', '--force', there], { cwd: here });
  rmSync(there, { recursive: true, force: true });
  await admin.end();
}
