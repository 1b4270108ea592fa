import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { realConfig, realConfigs } from './support/real-configs.js';

const server = useTestServer();
const IMAGE = 'query ($id: String!) { image(id: $id) { id } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';
const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

// Among the real configs, 913cf3a3… and 917a47e5… share the prefix "91".
const target = realConfig('913cf3a3');

/**
 * Two new configs whose IDs share a prefix that starts no real config's ID, so
 * that a test can delete by prefix and leave the real configs as the others read them.
 */
function twins(): { configs: [string, string]; prefix: string } {
  const seen = new Map<string, string>();
  for (let n = 0; ; n++) {
    const config = makeConfig(['twin'], `twin ${n}`);
    const prefix = digest(config).slice(7, 10);
    if (realConfigs.some((real) => real.id.startsWith(`sha256:${prefix}`))) continue;
    const other = seen.get(prefix);
    if (other !== undefined) return { configs: [other, config], prefix };
    seen.set(prefix, config);
  }
}

describe('image(id): Get and Search', () => {
  // Read by every test, changed by none.
  before(async () => {
    for (const config of realConfigs) await server.create(config.raw);
  });

  it('when asked by full ID, then that image is returned', async () => {
    assert.equal((await server.data(IMAGE, { id: target.id })).image.id, target.id);
  });

  it('when asked by unique prefix, sha256: or not, any case, then the image is found', async () => {
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

  it('when a mutation names an ambiguous prefix, then AMBIGUOUS_ID, nothing changes', async () => {
    const before = await server.counts();
    assert.equal(onlyError(await server.gql(DELETE, { id: '9' })).code, 'AMBIGUOUS_ID');
    assert.deepEqual(await server.counts(), before);
  });

  it('when a mutation is given a prefix, then it acts on the full ID', async () => {
    const { configs, prefix } = twins();
    const [doomed, kept] = [await server.create(configs[0]), await server.create(configs[1])];
    const { deleteImage } = await server.data(DELETE, { id: doomed.slice(7, 15) });
    assert.equal(deleteImage.deletedImageId, doomed);
    assert.equal((await server.data(IMAGE, { id: prefix })).image.id, kept);
  });
});
