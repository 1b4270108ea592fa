import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  type FoundImage,
  NotAnImageStore,
  type Skipped,
  UnreadableImageStore,
} from '../src/cli/import/found-image.js';
import { openImageSource } from '../src/cli/import/open-source.js';
import {
  type ArchiveImage,
  hexOf,
  truncateHalf,
  writeDockerRoot,
  writeDockerSave,
  writeOciLayout,
  writeTar,
} from './support/image-archives.js';
import { type RealConfig, realConfigs } from './support/real-configs.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-sources-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Everything a store yields, split into images and skipped entries. */
async function readAll(path: string) {
  const source = await openImageSource(path);
  const images: FoundImage[] = [];
  const skipped: Skipped[] = [];
  for await (const found of source.images()) {
    if ('image' in found) images.push(found.image);
    else skipped.push(found.skipped);
  }
  return { format: source.format, description: source.description, images, skipped };
}

type Seven = [RealConfig, RealConfig, RealConfig, RealConfig, RealConfig, RealConfig, RealConfig];
const [a, b, c, d, e, f, g] = realConfigs.slice(0, 7) as Seven;
const NOWHERE = `sha256:${'f'.repeat(64)}`;
const NOT_JSON = '{"architecture": "amd64", "os": ';
const hex = (config: RealConfig) => config.id.slice('sha256:'.length);

/** a ← b ← c and a lone d, written children first: the order out must come from the reader. */
const family: ArchiveImage[] = [
  { config: c.raw, parent: b.id, references: ['acme/app:2'] },
  { config: b.raw, parent: a.id, references: ['acme/app:1', 'acme/app:latest'] },
  { config: a.raw, references: ['busybox:latest'] },
  { config: d.raw },
];

/** What every format yields for the family, given where it keeps a config. */
function expectedFamily(sourceOf: (hex: string) => string): FoundImage[] {
  const image = (config: RealConfig, rest: Partial<FoundImage>): FoundImage => ({
    id: config.id,
    config: config.raw,
    references: [],
    source: sourceOf(hex(config)),
    ...rest,
  });
  return [
    image(a, { references: ['busybox:latest'] }),
    image(b, { parent: a.id, references: ['acme/app:1', 'acme/app:latest'] }),
    image(c, { parent: b.id, references: ['acme/app:2'] }),
    image(d, {}),
  ];
}

/** The family plus one of each kind of damage, and a parent the store does not hold. */
const damaged: ArchiveImage[] = [
  ...family,
  { config: e.raw, broken: 'missing-config', references: ['gone:1'] },
  { config: f.raw, broken: 'wrong-digest' },
  { config: NOT_JSON },
  { config: g.raw, parent: NOWHERE },
];

describe('docker save archives', () => {
  test('when a legacy docker save tar holds a family, then each image comes out once, parents first, with its RepoTags and Parent', async () => {
    const file = join(dir, 'legacy.tar');
    await writeDockerSave(file, family);
    const read = await readAll(file);
    assert.equal(read.format, 'docker-save');
    assert.equal(read.description, 'docker save archive (legacy manifest.json)');
    assert.deepEqual(
      read.images,
      expectedFamily((hex) => `${hex}.json`),
    );
    assert.deepEqual(read.skipped, []);
  });

  test('when Docker 25+ wrote it in OCI form, then manifest.json is preferred over index.json and configs come from blobs/', async () => {
    const file = join(dir, 'oci-form.tar');
    await writeDockerSave(file, family, { form: 'oci' });
    const read = await readAll(file);
    assert.equal(read.format, 'docker-save');
    assert.match(read.description, /OCI form/);
    assert.deepEqual(
      read.images,
      expectedFamily((hex) => `blobs/sha256/${hex}`),
    );
  });

  test('when a layer is larger than any config could be, then it streams past and the images still come out', async () => {
    const file = join(dir, 'big-layer.tar');
    await writeDockerSave(file, family, { layerSize: 20 * 1024 * 1024 });
    assert.deepEqual(
      (await readAll(file)).images,
      expectedFamily((hex) => `${hex}.json`),
    );
  });

  test('when the archive is gzipped, then it reads as the tar inside', async () => {
    const file = join(dir, 'gzipped.tar');
    await writeDockerSave(file, family);
    await writeFile(`${file}.gz`, gzipSync(await readFile(file)));
    assert.deepEqual(
      (await readAll(`${file}.gz`)).images,
      expectedFamily((hex) => `${hex}.json`),
    );
  });
});

describe('OCI image layouts', () => {
  const alpine = ['docker.io/library/alpine:3.20', 'docker.io/library/alpine:latest'];
  const layout = [
    { config: a.raw, references: alpine },
    { config: b.raw, refNames: ['ghcr.io/acme/tool:2'] },
    { config: c.raw, refNames: ['latest'] },
    {
      platforms: [{ config: d.raw }, { config: e.raw }, { config: f.raw }],
      references: ['acme/multi:1'],
    },
  ];
  const blobs = (hex: string) => `blobs/sha256/${hex}`;
  const expected = [
    { id: a.id, config: a.raw, references: alpine, source: blobs(hex(a)) },
    { id: b.id, config: b.raw, references: ['ghcr.io/acme/tool:2'], source: blobs(hex(b)) },
    ...[c, d, e, f].map((config) => ({
      id: config.id,
      config: config.raw,
      references: [],
      source: blobs(hex(config)),
    })),
  ];

  test('when a layout directory names images by annotations, then full references are kept, a bare tag without a repository is not, and a multi-platform name is reported rather than given to one platform', async () => {
    const target = join(dir, 'layout');
    await writeOciLayout(target, layout);
    const read = await readAll(target);
    assert.equal(read.format, 'oci-layout');
    assert.equal(read.description, 'OCI image layout (directory)');
    assert.deepEqual(read.images, expected);
    assert.equal(read.skipped.length, 1);
    assert.equal(read.skipped[0]?.source, 'index.json manifests[4]');
    assert.match(read.skipped[0]?.reason ?? '', /acme\/multi:1 names an index of 3 images/);
  });

  test('when the same layout is a tar, then it yields the same images', async () => {
    const file = join(dir, 'layout.tar');
    await writeOciLayout(file, layout, { tar: true });
    const read = await readAll(file);
    assert.equal(read.description, 'OCI image layout (tar)');
    assert.deepEqual(read.images, expected);
  });
});

describe('Docker image directories', () => {
  test('when a Docker directory holds all 31 real configs as a tree, then each comes out with its parent and names, parents first', async () => {
    const root = join(dir, 'docker-root');
    // Config i's parent is config (i - 1) / 2: a binary tree, written leaves first.
    const images = realConfigs.map((config, i) => ({
      config: config.raw,
      parent: i === 0 ? undefined : realConfigs[Math.floor((i - 1) / 2)]?.id,
      references: i % 5 === 0 ? [`acme/tree:${i}`, `acme/tree@sha256:${hexOf(String(i))}`] : [],
    }));
    await writeDockerRoot(root, [...images].reverse());
    const read = await readAll(root);
    assert.equal(read.format, 'docker-root');
    assert.deepEqual(read.skipped, []);
    assert.equal(read.images.length, 31);
    const position = new Map(read.images.map((image, i) => [image.id, i]));
    for (const [i, config] of realConfigs.entries()) {
      const image = read.images[position.get(config.id)!]!;
      assert.equal(image.config, config.raw);
      assert.equal(image.parent, images[i]?.parent);
      assert.deepEqual(image.references.sort(), images[i]?.references.sort());
      assert.equal(image.source, `imagedb/content/sha256/${hex(config)}`);
      if (image.parent) assert.ok(position.get(image.parent)! < position.get(image.id)!);
    }
  });
});

describe('broken entries', () => {
  const formats = [
    {
      name: 'a legacy docker save',
      path: 'broken.tar',
      absent: 'not in the archive',
      parents: true,
    },
    { name: 'an OCI layout directory', path: 'broken-layout', absent: 'not in the directory' },
    { name: 'an OCI layout tar', path: 'broken-layout.tar', absent: 'not in the archive' },
    { name: 'a Docker directory', path: 'broken-root', absent: 'does not hold', parents: true },
  ];
  const write = [
    (path: string) => writeDockerSave(path, damaged),
    (path: string) => writeOciLayout(path, damaged),
    (path: string) => writeOciLayout(path, damaged, { tar: true }),
    (path: string) => writeDockerRoot(path, damaged),
  ];
  for (const [i, format] of formats.entries()) {
    test(`when ${format.name} has a missing config, a config under the wrong name and one that is not JSON, then each is skipped with its path and why, and the rest come out with a parent the store lacks passed through`, async () => {
      const path = join(dir, format.path);
      await write[i]!(path);
      const read = await readAll(path);
      const ids = read.images.map((image) => image.id);
      assert.deepEqual(ids.sort(), [a.id, b.id, c.id, d.id, g.id].sort());
      // OCI layouts record no parents; the others pass one through even when it names nothing here.
      const parent = read.images.find((image) => image.id === g.id)?.parent;
      assert.equal(parent, format.parents ? NOWHERE : undefined);
      const reasons = read.skipped.map((entry) => `${entry.source}: ${entry.reason}`);
      assert.equal(reasons.length, 3, reasons.join('\n'));
      assert.ok(
        reasons.some((line) => line.includes(format.absent)),
        reasons.join('\n'),
      );
      const misnamed = reasons.find((line) => line.includes(hex(f)));
      assert.match(misnamed ?? '', /its content is sha256:[0-9a-f]{64}, not the sha256:/);
      assert.match(reasons.find((line) => line.includes(hexOf(NOT_JSON))) ?? '', /not JSON/);
    });
  }
});

describe('inputs that are not image stores', () => {
  test('when the input is a text file, an empty file, a tar of other files, a plain directory or nothing, then it is refused as not an image store before anything is read', async () => {
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'These are not the images you are looking for.\n'.repeat(40));
    const empty = join(dir, 'empty');
    await writeFile(empty, '');
    const otherTar = join(dir, 'other.tar');
    await writeTar(otherTar, [
      { name: 'README', data: 'hello' },
      { name: 'data.json', data: '{}' },
    ]);
    const plain = join(dir, 'plain');
    await mkdir(plain);
    for (const path of [text, empty, otherTar, plain, join(dir, 'missing')]) {
      await assert.rejects(openImageSource(path), (error: Error) => {
        assert.ok(error instanceof NotAnImageStore, `${path}: ${error}`);
        assert.ok(error.message.startsWith(path));
        return true;
      });
    }
  });

  test('when a docker save tar was cut short, then opening it fails with one line naming the file', async () => {
    const file = join(dir, 'truncated.tar');
    await writeDockerSave(file, family);
    await truncateHalf(file);
    await assert.rejects(openImageSource(file), (error: Error) => {
      assert.ok(error instanceof UnreadableImageStore, String(error));
      assert.match(error.message, /truncated or damaged/);
      assert.ok(error.message.startsWith(file) && !error.message.includes('\n'));
      return true;
    });
  });
});
