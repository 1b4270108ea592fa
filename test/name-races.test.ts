import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyStore } from '../src/store/verify.js';
import { diffId, makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';

const server = useTestServer();
const TAG = `mutation ($image: String!, $ref: String!) {
  tagImage(image: $image, reference: $ref) { image { id } previousImage { id } }
}`;
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deleted untagged } }';
const PRUNE = 'mutation ($label: [String!]) { pruneImages(label: $label) { deleted } }';
const NAMED = 'query ($name: String!) { reference(name: $name) { image { id } } }';

/** A config with a label of its own, so that a prune can pick it out. */
function labelled(label: string): string {
  return JSON.stringify({
    os: 'linux',
    config: { Labels: { round: label } },
    rootfs: { type: 'layers', diff_ids: [diffId(`race ${label}`)] },
  });
}

describe('races over names', () => {
  it('when five clients move one name to five images at once, then the name ends on one of them and the answers chain in some order', async () => {
    for (let round = 0; round < 30; round++) {
      const name = `race/move:r${round}`;
      const start = await server.create(makeConfig(['m'], `start ${round}`));
      await server.data(TAG, { image: start, ref: name });
      const targets = await Promise.all(
        Array.from({ length: 5 }, (_, i) => server.create(makeConfig(['m'], `to ${round} ${i}`))),
      );
      const answers = await Promise.all(
        targets.map((image) => server.data(TAG, { image, ref: name })),
      );
      // Each move names the image the name was on when it ran: following
      // them from the start visits every target once and ends where the name is.
      const from = new Map(
        answers.map(({ tagImage }) => [tagImage.previousImage?.id, tagImage.image.id]),
      );
      const order: string[] = [];
      for (let at = from.get(start); at !== undefined; at = from.get(at)) order.push(at);
      assert.deepEqual(
        [...order].sort(),
        [...targets].sort(),
        `round ${round}: one chain of moves`,
      );
      const { reference } = await server.data(NAMED, { name });
      assert.equal(reference.image.id, order.at(-1), `round ${round}: the last move holds`);
    }
    assert.deepEqual(await verifyStore(server.sql), []);
  });

  it('when an image is tagged while it is deleted, then either the delete lists the tag or the tag is NOT_FOUND, never a name left on nothing', async () => {
    for (let round = 0; round < 60; round++) {
      const name = `race/delete:r${round}`;
      const id = await server.create(makeConfig(['d'], `tag or delete ${round}`));
      const [tagged, deleted] = await Promise.all([
        server.gql(TAG, { image: id, ref: name }),
        server.data(DELETE, { id }),
      ]);
      assert.deepEqual(deleted.deleteImage.deleted, [id]);
      if (tagged.errors) {
        assert.equal(onlyError(tagged).code, 'NOT_FOUND', `round ${round}`);
        assert.deepEqual(deleted.deleteImage.untagged, [], `round ${round}`);
      } else {
        assert.deepEqual(deleted.deleteImage.untagged, [name], `round ${round}`);
      }
      assert.equal((await server.data(NAMED, { name })).reference, null, `round ${round}`);
    }
    assert.deepEqual(await verifyStore(server.sql), []);
  });

  it('when a dangling image is tagged while a prune runs, then it is either pruned (and the tag NOT_FOUND) or tagged and kept', async () => {
    for (let round = 0; round < 40; round++) {
      const label = `prune-race-${round}`;
      const id = await server.create(labelled(label));
      const [tagged, pruned] = await Promise.all([
        server.gql(TAG, { image: id, ref: `race/prune:r${round}` }),
        server.data(PRUNE, { label: [`round=${label}`] }),
      ]);
      const { image } = await server.data('query ($id: String!) { image(id: $id) { id } }', { id });
      if (tagged.errors) {
        assert.equal(onlyError(tagged).code, 'NOT_FOUND', `round ${round}`);
        assert.deepEqual(pruned.pruneImages.deleted, [id], `round ${round}`);
        assert.equal(image, null, `round ${round}`);
      } else {
        assert.deepEqual(pruned.pruneImages.deleted, [], `round ${round}`);
        assert.equal(image?.id, id, `round ${round}`);
      }
    }
    assert.deepEqual(await verifyStore(server.sql), []);
  });
});
