import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { onlyError, useTestServer } from './support/harness.js';
import { realConfig, realConfigs } from './support/real-configs.js';

const server = useTestServer();
const IMAGE = 'query ($id: String!) { image(id: $id) { id } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';

// Among the real configs, 913cf3a3… and 917a47e5… share the prefix "91".
const target = realConfig('913cf3a3');

describe('image(id): Get and Search', () => {
  before(async () => {
    for (const config of realConfigs) await server.create(config.raw);
  });

  it('when asked by full ID, then that image is returned', async () => {
    assert.equal((await server.data(IMAGE, { id: target.id })).image.id, target.id);
  });

  it('when asked by a unique prefix, with or without sha256:, in either case, then that image is returned', async () => {
    for (const id of ['913c', 'sha256:913cf3', '913CF3A3', target.id.slice(7)]) {
      assert.equal((await server.data(IMAGE, { id })).image?.id, target.id, id);
    }
  });

  it('when nothing matches, then image is null', async () => {
    assert.equal((await server.data(IMAGE, { id: 'ffff' })).image, null);
    assert.equal((await server.data(IMAGE, { id: `sha256:${'e'.repeat(64)}` })).image, null);
  });

  it('when a prefix matches several images, then it is AMBIGUOUS_ID', async () => {
    const error = onlyError(await server.gql(IMAGE, { id: '91' }));
    assert.equal(error.code, 'AMBIGUOUS_ID');
    assert.match(error.message, /"91" is ambiguous/);
  });

  it('when the ID is empty or not hex, then it is INVALID_ID naming the input', async () => {
    for (const id of ['', 'sha256:', 'nothex', "91' or '1'='1", 'sha512:91']) {
      const error = onlyError(await server.gql(IMAGE, { id }));
      assert.equal(error.code, 'INVALID_ID', id);
      assert.ok(error.message.includes(`"${id}"`), error.message);
    }
  });

  it('when a mutation names no stored image, then it is NOT_FOUND as Docker says it', async () => {
    const error = onlyError(await server.gql(DELETE, { id: 'ffff' }));
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.message, 'No such image: ffff');
  });

  it('when a mutation names an ambiguous prefix, then it is AMBIGUOUS_ID and nothing changes', async () => {
    const before = await server.counts();
    assert.equal(onlyError(await server.gql(DELETE, { id: '9' })).code, 'AMBIGUOUS_ID');
    assert.deepEqual(await server.counts(), before);
  });

  it('when a mutation is given a prefix, then it acts on the full ID', async () => {
    const { deleteImage } = await server.data(DELETE, { id: '913cf3a3' });
    assert.equal(deleteImage.deletedImageId, target.id);
    assert.equal((await server.data(IMAGE, { id: '91' })).image.id, realConfig('917a47e5').id);
  });
});
