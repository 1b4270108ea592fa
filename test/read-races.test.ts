import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';

const server = useTestServer();
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';
const READ =
  'query ($id: String!) { image(id: $id) { id rawConfig config history { createdBy } } }';
const CHILDREN = 'query ($id: String!) { image(id: $id) { id children { id rawConfig } } }';
const PAGE = '{ images(first: 1000) { edges { node { id rawConfig layers { chainId } } } } }';

/** The ID a config is stored under. */
const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const AT_ONCE = 10;
// When each reader starts, in milliseconds after the delete's request: together they span its
// transaction.
const READERS = [0, 1, 2, 3, 4, 6, 8, 10, 12, 14];

/** Runs the rounds ten at a time, so that they overlap on the pool's connections. */
async function inBatches(rounds: number, work: (round: number) => Promise<void>): Promise<void> {
  for (let batch = 0; batch < rounds; batch += AT_ONCE) {
    await Promise.all(Array.from({ length: AT_ONCE }, (_, i) => work(batch + i)));
  }
}

/** Reads `ms` milliseconds from now. */
async function later<T>(ms: number, read: () => Promise<T>): Promise<T> {
  if (ms > 0) await sleep(ms);
  return read();
}

describe('reads racing a delete', () => {
  it('when an image is read while deleted, then it is whole or null, never an error', async () => {
    await inBatches(40, async (round) => {
      const config = makeConfig(['read', `read ${round}`], `read while deleted ${round}`);
      const id = await server.create(config);
      const [deleted, ...answers] = await Promise.all([
        server.gql(DELETE, { id }),
        ...READERS.map((ms) => later(ms, () => server.gql(READ, { id }))),
      ]);
      assert.equal(deleted.errors, undefined, `round ${round}: ${JSON.stringify(deleted.errors)}`);
      for (const answer of answers) {
        assert.equal(answer.errors, undefined, `round ${round}: ${JSON.stringify(answer)}`);
        const { image } = answer.data;
        if (image === null) continue;
        // Found, then every field is of the image found, deleted since or not.
        assert.equal(image.id, id);
        assert.equal(image.rawConfig, config);
        assert.equal(digest(image.rawConfig), id);
        assert.deepEqual(image.config, JSON.parse(config));
        assert.deepEqual(
          image.history.map((entry: any) => entry.createdBy),
          ['ADD read /', `ADD read ${round} /`],
        );
      }
    });
  });

  it('when children and configs are read as one is deleted, then as before, no error', async () => {
    await inBatches(40, async (round) => {
      const parent = await server.create(makeConfig(['kin'], `parent ${round}`));
      const kept = await server.create(makeConfig(['kin', 'kept'], `kept child ${round}`));
      const doomed = await server.create(makeConfig(['kin', 'doomed'], `doomed child ${round}`));
      await Promise.all([server.setParent(kept, parent), server.setParent(doomed, parent)]);
      const [deleted, ...answers] = await Promise.all([
        server.gql(DELETE, { id: doomed }),
        ...READERS.map((ms) => later(ms, () => server.gql(CHILDREN, { id: parent }))),
      ]);
      assert.equal(deleted.errors, undefined, `round ${round}: ${JSON.stringify(deleted.errors)}`);
      for (const answer of answers) {
        assert.equal(answer.errors, undefined, `round ${round}: ${JSON.stringify(answer.errors)}`);
        const children: { id: string; rawConfig: string }[] = answer.data.image.children;
        assert.ok(
          children.some((child) => child.id === kept),
          `round ${round}: the kept child is listed`,
        );
        for (const child of children) assert.equal(digest(child.rawConfig), child.id);
      }
    });
  });

  it('when a page is read amid deletes, then each image listed is whole, no error', async () => {
    await inBatches(20, async (round) => {
      const ids = await Promise.all(
        [0, 1, 2].map((n) =>
          server.create(makeConfig(['page', `page ${round} ${n}`], `listed ${round} ${n}`)),
        ),
      );
      const [, ...answers] = await Promise.all([
        Promise.all(ids.map((id) => server.gql(DELETE, { id }))),
        ...READERS.map((ms) => later(ms, () => server.gql(PAGE))),
      ]);
      for (const answer of answers) {
        assert.equal(answer.errors, undefined, `round ${round}: ${JSON.stringify(answer.errors)}`);
        for (const { node } of answer.data.images.edges) {
          assert.equal(digest(node.rawConfig), node.id);
          assert.equal(node.layers.length, JSON.parse(node.rawConfig).rootfs.diff_ids.length);
        }
      }
    });
  });
});
