import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { chainIds } from '../src/domain/chain-id.js';
import { onlyError, useTestServer } from './support/harness.js';
import { realConfig, realConfigs } from './support/real-configs.js';

const server = useTestServer();
const LAYER = `query ($id: String!) {
  layer(chainId: $id) { chainId diffId parent { chainId } images { id } } }`;

// The base layer d619c4d8… is the first layer of 17 real configs.
const five = realConfig('0da9b7d7');
const chain = chainIds(JSON.parse(five.raw).rootfs.diff_ids as string[]);

describe('layers', () => {
  before(async () => {
    for (const config of realConfigs) await server.create(config.raw);
  });

  it('when a layer is looked up by chain ID, then it shows its diff ID and parent', async () => {
    const { layer } = await server.data(LAYER, { id: chain[2] });
    assert.equal(layer.chainId, chain[2]);
    assert.equal(layer.diffId, JSON.parse(five.raw).rootfs.diff_ids[2]);
    assert.deepEqual(layer.parent, { chainId: chain[1] });
  });

  it("when a base layer's images are read, then all using it are listed, by ID", async () => {
    const { layer } = await server.data(LAYER, { id: chain[0] });
    const expected = realConfigs
      .filter((config) => JSON.parse(config.raw).rootfs.diff_ids[0] === chain[0])
      .map((config) => config.id);
    assert.equal(layer.parent, null);
    assert.equal(expected.length, 17);
    assert.deepEqual(
      layer.images.map((image: any) => image.id),
      expected,
    );
  });

  it("when a top layer's images are read, then only images built on it are listed", async () => {
    const { layer } = await server.data(LAYER, { id: chain[4] });
    assert.ok(layer.images.some((image: any) => image.id === five.id));
    for (const image of layer.images) {
      const { image: found } = await server.data(
        'query ($id: String!) { image(id: $id) { layers { chainId } } }',
        { id: image.id },
      );
      assert.deepEqual(
        found.layers.map((l: any) => l.chainId),
        chain,
      );
    }
  });

  it("when an image's layers are read with imageCount, then each counts the images holding it", async () => {
    const { image } = await server.data(
      'query ($id: String!) { image(id: $id) { layers { chainId imageCount images { id } } } }',
      { id: five.id },
    );
    // One batch for the chain: each count agrees with that layer's own list of images.
    assert.equal(image.layers[0].imageCount, 17);
    for (const layer of image.layers) assert.equal(layer.imageCount, layer.images.length);
    assert.ok(image.layers.at(-1).imageCount >= 1);
  });

  it('when a unique prefix names a layer, then it is found; an unknown one is null', async () => {
    assert.equal(
      (await server.data(LAYER, { id: chain[3]!.slice(7, 20) })).layer.chainId,
      chain[3],
    );
    assert.equal((await server.data(LAYER, { id: `sha256:${'0'.repeat(64)}` })).layer, null);
  });

  it('when the chain ID is not hex, then it is INVALID_ID', async () => {
    assert.equal(onlyError(await server.gql(LAYER, { id: 'layer-1' })).code, 'INVALID_ID');
  });
});
