import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf } from '../src/domain/digest.js';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { realConfigs } from './support/real-configs.js';

const server = useTestServer();

const IMPORT = `mutation ($images: [ImageImport!]!) {
  importImages(images: $images) {
    created existing
    images { id parent { id } base { id } repoTags }
  }
}`;

/** A chain of images, each built on the one before: configs listed top first. */
function chain(name: string, length: number) {
  const configs = Array.from({ length }, (_, i) =>
    makeConfig(
      Array.from({ length: i + 1 }, (_, l) => `${name}-${l}`),
      `${name} ${i}`,
    ),
  );
  return configs
    .map((config, i) => ({ config, parent: i === 0 ? null : digestOf(configs[i - 1]!) }))
    .reverse();
}

describe('importImages', () => {
  it('when parents come after their children in a call, then every link is kept', async () => {
    const images = chain('order', 5);
    const { importImages } = await server.data(IMPORT, { images });
    assert.equal(importImages.created, 5);
    assert.equal(importImages.existing, 0);
    assert.deepEqual(
      importImages.images.map((image: any) => image.parent?.id ?? null),
      images.map((image) => image.parent),
    );
    // Their chains make the same tree by lineage.
    assert.deepEqual(
      importImages.images.map((image: any) => image.base?.id ?? null),
      images.map((image) => image.parent),
    );
  });

  it('when the same call runs again, then nothing is created twice', async () => {
    const images = realConfigs.slice(0, 10).map(({ raw }, i) => ({
      config: raw,
      references: [`again/real:${i}`],
    }));
    const first = await server.data(IMPORT, { images });
    const counts = await server.counts();
    const second = await server.data(IMPORT, { images });
    assert.equal(first.importImages.created, 10);
    assert.equal(second.importImages.created, 0);
    assert.equal(second.importImages.existing, 10);
    assert.deepEqual(second.importImages.images, first.importImages.images);
    assert.deepEqual(await server.counts(), counts);
    assert.deepEqual(first.importImages.images[3].repoTags, ['again/real:3']);
  });

  it('when a parent names nothing, then NOT_FOUND names it and nothing is written', async () => {
    const counts = await server.counts();
    const missing = digestOf('no such parent');
    const answer = await server.gql(IMPORT, {
      images: [
        { config: makeConfig(['lost-0'], 'kept out'), references: ['lost:one'] },
        { config: makeConfig(['lost-0', 'lost-1'], 'orphan'), parent: missing },
      ],
    });
    const error = onlyError(answer);
    assert.equal(error.code, 'NOT_FOUND');
    assert.match(error.message, new RegExp(missing));
    assert.deepEqual(await server.counts(), counts);
  });

  it('when the parents of a call loop, then CYCLE and nothing is written', async () => {
    const a = makeConfig(['loop-a'], 'a');
    const b = makeConfig(['loop-b'], 'b');
    const counts = await server.counts();
    const answer = await server.gql(IMPORT, {
      images: [
        { config: a, parent: digestOf(b) },
        { config: b, parent: digestOf(a) },
      ],
    });
    assert.equal(onlyError(answer).code, 'CYCLE');
    assert.deepEqual(await server.counts(), counts);
  });

  it('when one config or name is bad, then the whole call fails with its code', async () => {
    const counts = await server.counts();
    const good = { config: makeConfig(['bad-0'], 'good') };
    const badConfig = await server.gql(IMPORT, { images: [good, { config: '{"rootfs": 1}' }] });
    assert.equal(onlyError(badConfig).code, 'INVALID_CONFIG');
    const badName = await server.gql(IMPORT, {
      images: [{ ...good, references: ['Not A Name'] }],
    });
    assert.equal(onlyError(badName).code, 'INVALID_REFERENCE');
    const shortParent = await server.gql(IMPORT, { images: [{ ...good, parent: 'abc123' }] });
    assert.equal(onlyError(shortParent).code, 'INVALID_ID');
    assert.deepEqual(await server.counts(), counts);
  });

  it('when a call has more than 1,000 images, then BAD_USER_INPUT', async () => {
    const config = makeConfig(['many-0'], 'one of many');
    const answer = await server.gql(IMPORT, {
      images: Array.from({ length: 1001 }, () => ({ config })),
    });
    assert.equal(onlyError(answer).code, 'BAD_USER_INPUT');
  });

  it('when a parent is stored already, then a call can build on it', async () => {
    const [top, base] = chain('stored', 2);
    const baseId = await server.create(base!.config);
    const { importImages } = await server.data(IMPORT, { images: [top] });
    assert.equal(importImages.images[0].parent.id, baseId);
  });

  it('when imports have written as many images as the store held, then its statistics are fresh', async () => {
    // Plans made for a store a fraction of its size scan where they should probe.
    const images = Array.from({ length: 1000 }, (_, i) => ({
      config: makeConfig([`bulk-${i % 10}`, `bulk-${i}`], `bulk ${i}`),
    }));
    assert.equal((await server.data(IMPORT, { images })).importImages.created, 1000);
    const [row] = await server.sql<{ rows: number }[]>`
      select reltuples::float8 as rows from pg_class where oid = 'images'::regclass`;
    assert.ok(row!.rows >= 1000, `the planner counts ${row!.rows} images`);
  });
});
