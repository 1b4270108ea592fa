import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainIds } from '../src/domain/chain-id.js';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { realConfig } from './support/real-configs.js';

const server = useTestServer();
const DELETE = `mutation ($id: String!) {
  deleteImage(id: $id) { deletedImageId releasedLayers { chainId diffId } } }`;

// 1b2d7646… has 3 layers; 0da9b7d7… has those 3 and 2 more on top.
const three = realConfig('1b2d7646');
const five = realConfig('0da9b7d7');
const chainOf = (raw: string) => chainIds(JSON.parse(raw).rootfs.diff_ids as string[]);

describe('deleteImage', () => {
  it('when lower layers are shared, then only unshared ones are released, top first', async () => {
    await server.create(three.raw);
    await server.create(five.raw);
    const { deleteImage } = await server.data(DELETE, { id: five.id });
    assert.equal(deleteImage.deletedImageId, five.id);
    const chain = chainOf(five.raw);
    assert.deepEqual(
      deleteImage.releasedLayers.map((layer: any) => layer.chainId),
      [chain[4], chain[3]],
    );
    assert.equal(deleteImage.releasedLayers[0].diffId, JSON.parse(five.raw).rootfs.diff_ids[4]);
  });

  it('when the last image of a chain is deleted, then all its layers go, top first', async () => {
    // A chain of its own, shared until the image on top of it is deleted.
    const before = await server.counts();
    const layers = ['last 1', 'last 2', 'last 3'];
    const base = makeConfig(layers, 'the last of its chain');
    const id = await server.create(base);
    const top = await server.create(makeConfig([...layers, 'last 4'], 'on top'));
    await server.data(DELETE, { id: top });
    const { deleteImage } = await server.data(DELETE, { id });
    assert.deepEqual(
      deleteImage.releasedLayers.map((layer: any) => layer.chainId),
      chainOf(base).reverse(),
    );
    assert.deepEqual(await server.counts(), before);
  });

  it('when an image with children is deleted, then they stay, without a parent', async () => {
    const parent = await server.create(makeConfig(['base']));
    const kids = [
      await server.create(makeConfig(['base', 'a'])),
      await server.create(makeConfig(['base', 'b'])),
    ];
    for (const kid of kids) await server.setParent(kid, parent);
    const { deleteImage } = await server.data(DELETE, { id: parent });
    assert.deepEqual(deleteImage.releasedLayers, [], 'the children still hold the base layer');
    for (const kid of kids) {
      const { image } = await server.data(
        'query ($id: String!) { image(id: $id) { parent { id } isHead } }',
        { id: kid },
      );
      assert.deepEqual(image, { parent: null, isHead: true });
    }
  });

  it('when the image is already gone, then it is NOT_FOUND', async () => {
    const id = await server.create(makeConfig(['once']));
    await server.data(DELETE, { id });
    const error = onlyError(await server.gql(DELETE, { id }));
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.message, `No such image: ${id}`);
  });

  it('when an image has no layers, then deleting it releases none', async () => {
    const id = await server.create('{"rootfs":{"type":"layers","diff_ids":[]}}');
    assert.deepEqual((await server.data(DELETE, { id })).deleteImage.releasedLayers, []);
  });
});
