import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainIds } from '../src/domain/chain-id.js';
import { diffId, makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { shortId } from './support/ids.js';
import { realConfig, realConfigs } from './support/real-configs.js';

const server = useTestServer();

const CREATE = `mutation ($config: String!) {
  createImage(config: $config) {
    created
    image { id shortId rawConfig config architecture os created author comment
            history { createdBy emptyLayer created } layers { chainId diffId } }
  }
}`;

describe('createImage', () => {
  it('when real configs are created, then IDs are sha256:<file name>, fields read', async () => {
    for (const { id, raw } of realConfigs) {
      const { createImage } = await server.data(CREATE, { config: raw });
      const json = JSON.parse(raw);
      assert.equal(createImage.created, true);
      assert.equal(createImage.image.id, id);
      assert.equal(createImage.image.shortId, shortId(id));
      assert.equal(createImage.image.rawConfig, raw);
      assert.deepEqual(createImage.image.config, json);
      assert.equal(createImage.image.architecture, json.architecture);
      assert.equal(createImage.image.os, json.os);
      assert.equal(createImage.image.history.length, json.history.length);
      assert.deepEqual(
        createImage.image.layers,
        chainIds(json.rootfs.diff_ids).map((chainId, i) => ({
          chainId,
          diffId: json.rootfs.diff_ids[i],
        })),
      );
    }
  });

  it('when bytes are created again, then same image, created false, nothing changes', async () => {
    const raw = makeConfig(['again-base', 'again-top'], 'created twice');
    const id = await server.create(raw);
    const before = await server.counts();
    const { createImage } = await server.data(CREATE, { config: raw });
    assert.equal(createImage.created, false);
    assert.equal(createImage.image.id, id);
    assert.deepEqual(await server.counts(), before);
  });

  it('when a stored config names itself as parent, then created false, no change', async () => {
    const CREATE_UNDER = `mutation ($config: String!, $parent: String) {
      createImage(config: $config, parent: $parent) { created image { id parent { id } } }
    }`;
    const base = await server.create(makeConfig(['self-base'], 'its parent'));
    const config = makeConfig(['self-base', 'self-top'], 'names itself');
    const id = (await server.data(CREATE_UNDER, { config, parent: base })).createImage.image.id;
    // The full ID, a prefix with sha256:, and a bare hex prefix all name it.
    for (const parent of [id, id.slice(0, 19), shortId(id)]) {
      const before = await server.counts();
      const { createImage } = await server.data(CREATE_UNDER, { config, parent });
      assert.equal(createImage.created, false, parent);
      assert.equal(createImage.image.id, id);
      assert.deepEqual(createImage.image.parent, { id: base }, 'the parent it had is kept');
      assert.deepEqual(await server.counts(), before);
    }
  });

  it('when JSON differs only in whitespace, then it is another image: bytes are kept', async () => {
    const { id, raw } = realConfig('187f89fb');
    const reformatted = JSON.stringify(JSON.parse(raw), null, 2);
    const { createImage } = await server.data(CREATE, { config: reformatted });
    assert.notEqual(createImage.image.id, id);
    assert.equal(createImage.image.rawConfig, reformatted);
  });

  it('when images share lower layers, then each chain ID is stored once', async () => {
    // Two of its own on one base layer, so that sharing shows whatever else the store holds.
    for (const top of ['one', 'two']) await server.create(makeConfig(['shared', top], 'sharing'));
    const [row] = await server.sql`
      select count(*)::int as refs, count(distinct chain_id)::int as layers from image_layers`;
    const [stored] = await server.sql`select count(*)::int as n from layers`;
    assert.ok(row!.layers < row!.refs, 'images share layers');
    assert.equal(stored!.n, row!.layers);
  });

  it('when a config has fields the store does not know, then they are kept', async () => {
    const raw = '{"rootfs":{"type":"layers","diff_ids":[]},"x-vendor":{"build":42},"os":"linux"}';
    const { createImage } = await server.data(CREATE, { config: raw });
    assert.deepEqual(createImage.image.config['x-vendor'], { build: 42 });
    assert.equal(createImage.image.rawConfig, raw);
    assert.deepEqual(createImage.image.layers, []);
  });

  it('when history has empty layers, then they are marked and need no diff ID', async () => {
    const raw = JSON.stringify({
      created: '2024-01-02T03:04:05.123456789Z',
      rootfs: { type: 'layers', diff_ids: [diffId('only')] },
      history: [{ created_by: 'ADD x /' }, { created_by: 'ENV a=b', empty_layer: true }],
    });
    const { createImage } = await server.data(CREATE, { config: raw });
    assert.deepEqual(
      createImage.image.history.map((entry: any) => [entry.createdBy, entry.emptyLayer]),
      [
        ['ADD x /', false],
        ['ENV a=b', true],
      ],
    );
    assert.equal(createImage.image.created, '2024-01-02T03:04:05.123Z');
  });

  const invalid: [string, string, RegExp][] = [
    ['not JSON', 'FROM scratch', /not JSON/],
    ['not an object', '"layers"', /not a JSON object/],
    ['no rootfs', '{"architecture":"amd64"}', /rootfs is missing/],
    ['no rootfs.type', '{"rootfs":{"diff_ids":[]}}', /rootfs\.type is missing/],
    [
      'a bad diff ID',
      '{"rootfs":{"type":"layers","diff_ids":["md5:abc"]}}',
      /diff_ids\[0\]: not a sha256 digest/,
    ],
    [
      'history not an array',
      '{"rootfs":{"type":"layers"},"history":"none"}',
      /history: .*expected array/,
    ],
    [
      'created not a time',
      '{"rootfs":{"type":"layers"},"created":"2024-13-01"}',
      /created: not an RFC 3339/,
    ],
    [
      'too many non-empty layers',
      makeConfig(['a']).replace(/"diff_ids":\[[^\]]*\]/, '"diff_ids":[]'),
      /too many non-empty layers in History section/,
    ],
  ];
  for (const [name, config, message] of invalid) {
    it(`when a config has ${name}, then it is INVALID_CONFIG and nothing is written`, async () => {
      const before = await server.counts();
      const error = onlyError(await server.gql(CREATE, { config }));
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.match(error.message, message);
      assert.deepEqual(await server.counts(), before);
    });
  }
});
