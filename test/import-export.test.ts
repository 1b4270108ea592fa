import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateForest } from '../bench/forest.js';
import { digestOf } from '../src/domain/digest.js';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';
import {
  type ArchiveImage,
  hexOf,
  writeDockerRoot,
  writeDockerSave,
} from './support/image-archives.js';
import { realConfigs } from './support/real-configs.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const source = useTestServer();
const target = useTestServer();
const guarded = useTestServer({}, { writeToken: 'import-secret', readToken: 'read-secret' });

/** Runs `npm run import` or `npm run export` as a user would, to its exit. */
function run(command: 'import' | 'export', args: string[]) {
  return new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `src/cli/${command}.ts`, ...args],
      { cwd: ROOT, env: { ...process.env, IMAGESTORE_TOKEN: '' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
  });
}

/** The real configs as a tree, and a generated forest with parents, a third of them named. */
function store(): ArchiveImage[] {
  const real = realConfigs.map(({ raw }, i) => ({
    config: raw,
    parent: i === 0 ? undefined : digestOf(realConfigs[Math.floor((i - 1) / 2)]!.raw),
    references: i % 3 === 0 ? [`real/config:${i}`, `registry.example:5000/real/c${i}:v1`] : [],
  }));
  const forest = [...generateForest({ images: 300, seed: 77 })];
  const ids = forest.map((image) => digestOf(image.rawConfig));
  return [
    ...real,
    ...forest.map((image, i) => ({
      config: image.rawConfig,
      parent: image.parent === null ? undefined : ids[image.parent],
      references: i % 3 === 0 ? [`forest/image:${i}`] : [],
    })),
  ];
}

const LIST = `query ($after: String) {
  images(first: 1000, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id rawConfig parent { id } repoTags repoDigests } }
  }
}`;

/** Every image a server holds: ID, parent, names and config bytes, by ID. */
async function everything(server: typeof source) {
  const all: any[] = [];
  let after: string | null = null;
  for (;;) {
    const { images }: any = await server.data(LIST, { after });
    all.push(...images.edges.map((edge: any) => edge.node));
    if (!images.pageInfo.hasNextPage) return all;
    after = images.pageInfo.endCursor;
  }
}

describe('import and export', () => {
  it('when a Docker image directory is imported twice, then the second creates nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-root-'));
    const images = store();
    await writeDockerRoot(dir, images);
    const first = await run('import', [dir, '--url', source.url]);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /Docker image directory/);
    assert.match(first.output, new RegExp(`${images.length} images created, 0 already there`));
    const again = await run('import', [dir, '--url', source.url]);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, new RegExp(`0 images created, ${images.length} already there`));
    const stored = await everything(source);
    assert.equal(stored.length, images.length);
    const byId = new Map(stored.map((image) => [image.id, image]));
    for (const image of images) {
      const found = byId.get(digestOf(image.config as string))!;
      assert.equal(found.rawConfig, image.config);
      assert.equal(found.parent?.id, image.parent);
      assert.deepEqual(
        found.repoTags,
        (image.references ?? []).map((name) => name.replace(/^registry.example:5000\//, '$&')),
      );
    }
  });

  it('when the store is exported and imported into an empty one, then both hold the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-export-'));
    const exported = await run('export', [dir, '--url', source.url]);
    assert.equal(exported.code, 0, exported.output);
    const stored = await everything(source);
    for (const image of stored) {
      const hex = image.id.slice('sha256:'.length);
      assert.equal(
        await readFile(join(dir, 'imagedb/content/sha256', hex), 'utf8'),
        image.rawConfig,
      );
    }
    const imported = await run('import', [dir, '--url', target.url]);
    assert.equal(imported.code, 0, imported.output);
    const sort = (images: any[]) => images.sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(sort(await everything(target)), sort(stored));
  });

  it('when entries are broken, then they are listed, the rest goes in, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-save-'));
    const file = join(dir, 'broken.tar');
    const good = makeConfig(['broken-a'], 'good');
    const bad = makeConfig(['broken-b'], 'stored under another digest');
    const child = makeConfig(['broken-b', 'broken-c'], 'built on the bad one');
    await writeDockerSave(file, [
      { config: good, references: ['broken/good:1'] },
      { config: bad, broken: 'wrong-digest' },
      { config: child, parent: digestOf(bad) },
    ]);
    const answer = await run('import', [file, '--url', target.url]);
    assert.equal(answer.code, 1, answer.output);
    assert.match(answer.output, new RegExp(`skipped ${hexOf(bad)}[^\\n]*: its content is`));
    assert.match(answer.output, /skipped [^\n]*: its parent sha256:[0-9a-f]{64} was skipped/);
    const { image } = await target.data('query ($id: String!) { image(id: $id) { repoTags } }', {
      id: digestOf(good),
    });
    assert.deepEqual(image.repoTags, ['broken/good:1']);
  });

  it('when the input is not an image store, then exit 2 and nothing is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-none-'));
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'not an image store\n');
    const counts = await target.counts();
    const answer = await run('import', [file, '--url', target.url]);
    assert.equal(answer.code, 2, answer.output);
    assert.match(answer.output, /not an image store/);
    assert.deepEqual(await target.counts(), counts);
  });
  it('when the server wants tokens, then import and export send them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-token-'));
    await writeDockerRoot(dir, store().slice(0, 20));
    const refused = await run('import', [dir, '--url', guarded.url]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /write token/);
    const imported = await run('import', [dir, '--url', guarded.url, '--token', 'import-secret']);
    assert.equal(imported.code, 0, imported.output);
    const out = await mkdtemp(join(tmpdir(), 'imagestore-token-out-'));
    const exported = await run('export', [out, '--url', guarded.url, '--token', 'read-secret']);
    assert.equal(exported.code, 0, exported.output);
    assert.match(exported.output, /exported 20 images/);
  });

  it('when images are deleted while an export runs, then each is exported whole or not at all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-racing-'));
    const stored = await everything(source);
    const exporting = run('export', [dir, '--url', source.url]);
    const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deleted } }';
    for (const image of stored.slice(0, 150)) await source.gql(DELETE, { id: image.id });
    const exported = await exporting;
    assert.equal(exported.code, 0, exported.output);
    const content = join(dir, 'imagedb/content/sha256');
    const files = await readdir(content);
    assert.ok(files.length >= stored.length - 150, `${files.length} exported`);
    for (const file of files) {
      assert.match(file, /^[0-9a-f]{64}$/, 'no file half-written');
      assert.equal(hexOf(await readFile(join(content, file))), file, 'each config whole');
    }
  });
  it('when an import is a dry run, then it checks everything and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-dry-'));
    const file = join(dir, 'dry.tar');
    await writeDockerSave(file, [
      { config: makeConfig(['dry-a'], 'checked'), references: ['dry/run:1'] },
      { config: makeConfig(['dry-b'], 'broken'), broken: 'wrong-digest' },
    ]);
    const counts = await target.counts();
    const answer = await run('import', [file, '--url', target.url, '--dry-run']);
    assert.equal(answer.code, 1, answer.output);
    assert.match(answer.output, /dry run, nothing written: 1 images ready to import, 1 skipped/);
    assert.deepEqual(await target.counts(), counts);
  });
});
