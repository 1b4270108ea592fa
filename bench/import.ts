import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { pack } from 'tar-stream';
import { startProcess } from '../test/support/process.js';
import { generateForest } from './forest.js';
import { generateNames } from './names.js';

// `npm run bench:import -- [--images 100000] [--small 20000] [--skip-big-tar]`: generates
// a Docker image directory (imagedb/ + repositories.json) at two sizes and a ~2 GB docker
// save tar (8 images, 256 MiB of random layer bytes each), then imports each into an empty
// database through the real server, as `npm run import` does. Measures wall time of the
// import CLI (its start included), its peak RSS (/usr/bin/time -v) and the server's (VmHWM),
// and checks the images arrived. Importer, server and PostgreSQL share this machine's cores.
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '100000' },
    small: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    'skip-big-tar': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const url =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/imagestore_import';
const database = new URL(url).pathname.slice(1);
const TAR_IMAGES = 8;
const LAYER_BYTES = 256 * 2 ** 20;
const CHUNK = 2 ** 20;

/** One measured import. */
interface Measured {
  name: string;
  images: number;
  seconds: number;
  importerMb: number;
  serverMb: number;
}

const temp = await mkdtemp(join(tmpdir(), 'imagestore-import-bench-'));
const results: Measured[] = [];
try {
  for (const images of [Number(values.small), Number(values.images)]) {
    const dir = join(temp, `docker-root-${images}`);
    console.log(`writing a Docker image directory of ${images} images`);
    writeDockerRoot(dir, images);
    results.push(await measure(`Docker image directory, ${images}`, dir, images));
    await rm(dir, { recursive: true, force: true });
  }
  if (!values['skip-big-tar']) {
    const file = join(temp, 'big-save.tar');
    console.log(`writing a docker save tar of ${TAR_IMAGES} × ${LAYER_BYTES / 2 ** 20} MiB layers`);
    await writeBigSave(file);
    results.push(await measure('docker save tar, 8 × 256 MiB layers', file, TAR_IMAGES));
  }
} finally {
  await rm(temp, { recursive: true, force: true });
  await admin((sql) => sql`drop database if exists ${sql(database)} with (force)`);
}

console.log('\n| case | images | seconds | images/s | importer peak RSS MB | server peak RSS MB |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const { name, images, seconds, importerMb, serverMb } of results) {
  const perSecond = Math.round(images / seconds);
  const cells = [name, images, seconds.toFixed(1), perSecond, importerMb, serverMb];
  console.log(`| ${cells.join(' | ')} |`);
}
const [small, large, tar] = results as [Measured, Measured, Measured | undefined];
const verdict = (ok: boolean, text: string) => console.log(`- ${ok ? 'pass' : 'MISS'}: ${text}`);
const rate = Math.round(large.images / large.seconds);
console.log();
verdict(rate >= 2000, `${rate} images/s at ${large.images} images (target 2,000)`);
for (const key of ['importerMb', 'serverMb'] as const) {
  const ratio = large[key] / small[key];
  verdict(
    ratio <= 1.3,
    `${key.slice(0, -2)} peak RSS ${small[key]} MB at ${small.images} images, ` +
      `${large[key]} MB at ${large.images} (${ratio.toFixed(2)}x; flat is within 1.3x)`,
  );
}
if (tar) verdict(tar.importerMb < 200, `importer ${tar.importerMb} MB for the ~2 GB tar (< 200)`);

/** Imports a path into a fresh database through a fresh server, and checks the count. */
async function measure(name: string, path: string, expected: number): Promise<Measured> {
  await admin(async (sql) => {
    await sql`drop database if exists ${sql(database)} with (force)`;
    await sql`create database ${sql(database)}`;
  });
  const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: url };
  const server = await startProcess(env);
  try {
    const started = performance.now();
    const importer = await runImporter(path, server.url);
    const seconds = (performance.now() - started) / 1000;
    const serverKb = kbField(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'), 'VmHWM');
    // Past its startup banner, the server logs only warnings and errors.
    const log = server
      .output()
      .split('\n')
      .filter((line) => line && !line.startsWith('imagestore:'));
    if (log.length > 0) console.log(`server logged:\n${log.slice(-20).join('\n')}`);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const [{ count }] = await sql<[{ count: number }]>`select count(*)::int as count from images`;
    await sql.end();
    if (count !== expected) throw new Error(`${name}: ${count} images stored, not ${expected}`);
    const measured = { name, images: expected, seconds, importerMb: mb(importer.kb) };
    const memory = `peak RSS: importer ${measured.importerMb} MB, server ${mb(serverKb)} MB`;
    console.log(`${name}: ${importer.summary}; ${importer.pace}; ${memory}`);
    return { ...measured, serverMb: mb(serverKb) };
  } finally {
    await server.stop();
  }
}

/**
 * Runs the import CLI under /usr/bin/time -v: its summary, its peak RSS in kB, and its pace
 * over the first and the last fifth of its calls (from the progress line it prints per call).
 */
async function runImporter(path: string, server: string) {
  const command = [process.execPath, '--import', 'tsx', 'src/cli/import.ts', path, '--url', server];
  const child = spawn('/usr/bin/time', ['-v', ...command], { cwd: ROOT });
  const calls: [number, number][] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const [, done] of chunk.toString().matchAll(/^(\d+) images: /gm))
      calls.push([performance.now(), Number(done)]);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`import exited with ${code}:\n${stdout.slice(-3000)}\n${stderr}`);
  const rate = (from: number, to: number) => {
    const [[t0, n0], [t1, n1]] = [calls[from]!, calls[to]!];
    return Math.round(((n1 - n0) * 1000) / (t1 - t0));
  };
  const fifth = Math.floor((calls.length - 1) / 5);
  const last = calls.length - 1;
  return {
    summary: stdout.trim().split('\n').at(-1) ?? '',
    kb: kbField(stderr, '\\s*Maximum resident set size \\(kbytes\\)'),
    pace:
      fifth === 0
        ? 'too few calls to compare'
        : `${rate(0, fifth)} images/s over the first fifth of calls, ` +
          `${rate(last - fifth, last)} over the last`,
  };
}

/**
 * A Docker image directory as moby keeps it, written file by file as the forest is generated
 * (writeDockerRoot in test/support builds every entry in memory first): parents by ID, and
 * the generated names (about a third of the images) in repositories.json.
 */
function writeDockerRoot(dir: string, images: number): void {
  const ids: string[] = [];
  for (const { rawConfig, parent } of generateForest({ images, seed })) {
    const hex = createHash('sha256').update(rawConfig).digest('hex');
    ids.push(`sha256:${hex}`);
    const metadata = join(dir, 'imagedb/metadata/sha256', hex);
    mkdirSync(metadata, { recursive: true });
    mkdirSync(join(dir, 'imagedb/content/sha256'), { recursive: true });
    writeFileSync(join(dir, 'imagedb/content/sha256', hex), rawConfig);
    writeFileSync(join(metadata, 'lastUpdated'), new Date().toISOString());
    if (parent !== null) writeFileSync(join(metadata, 'parent'), ids[parent]!);
  }
  const repositories: Record<string, Record<string, string>> = {};
  for (const { image, reference } of generateNames(images, seed)) {
    const repository = reference.slice(0, reference.lastIndexOf(':'));
    repositories[repository] = { ...repositories[repository], [reference]: ids[image]! };
  }
  writeFileSync(join(dir, 'repositories.json'), JSON.stringify({ Repositories: repositories }));
}

/** A legacy docker save tar whose layers are streamed to disk, never held whole in memory. */
async function writeBigSave(file: string): Promise<void> {
  const archive = pack();
  const written = pipeline(archive, createWriteStream(file));
  const ids: string[] = [];
  const manifest: object[] = [];
  for (const { rawConfig, parent } of generateForest({ images: TAR_IMAGES, seed })) {
    const hex = createHash('sha256').update(rawConfig).digest('hex');
    ids.push(`sha256:${hex}`);
    const layer = `${randomBytes(32).toString('hex')}/layer.tar`;
    archive.entry({ name: `${hex}.json` }, rawConfig);
    const entry = archive.entry({ name: layer, size: LAYER_BYTES });
    let left = LAYER_BYTES;
    for (; left > CHUNK; left -= CHUNK) {
      if (!entry.write(randomBytes(CHUNK))) await once(entry, 'drain');
    }
    entry.end(randomBytes(left));
    const links = parent === null ? {} : { Parent: ids[parent] };
    const tags = [`bench/big:${ids.length}`];
    manifest.push({ Config: `${hex}.json`, RepoTags: tags, Layers: [layer], ...links });
  }
  archive.entry({ name: 'manifest.json' }, JSON.stringify(manifest));
  archive.finalize();
  await written;
}

/** Runs `use` with a connection to the server's postgres database. */
async function admin<T>(use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const target = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
  const sql = postgres(target, { max: 1, onnotice: () => {} });
  try {
    return await use(sql);
  } finally {
    await sql.end();
  }
}

function kbField(text: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1]);
}

function mb(kb: number): number {
  return Math.round(kb / 1024);
}
