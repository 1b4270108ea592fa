import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainIds } from '../src/domain/chain-id.js';
import { digestOf, shortId } from '../src/domain/digest.js';
import { parseImageConfig } from '../src/domain/image-config.js';
import { parseIdQuery } from '../src/domain/image-id.js';
import { makeConfig } from './support/configs.js';
import { realConfigs } from './support/real-configs.js';

const A = 'sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb'; // sha256("a")
const B = 'sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d'; // sha256("b")

describe('digest', () => {
  it('when a real config is hashed, then the digest is its file name', () => {
    for (const config of realConfigs) assert.equal(digestOf(config.raw), config.id);
  });

  it('when text is not ASCII, then its UTF-8 bytes are hashed', () => {
    assert.equal(
      digestOf('é'),
      'sha256:4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c',
    );
  });

  it('when shortened, then the first 12 hex digits remain', () => {
    assert.equal(shortId(A), 'ca978112ca1b');
  });
});

describe('chain IDs', () => {
  it('when there is one layer, then its chain ID is its diff ID', () => {
    assert.deepEqual(chainIds([A]), [A]);
  });

  it('when layers stack, then each chain ID hashes the one below, a space, and the diff ID', () => {
    const chain = chainIds([A, B, A]);
    assert.equal(
      chain[1],
      'sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676',
    );
    assert.equal(chain[2], digestOf(`${chain[1]} ${A}`));
  });

  it('when there are no layers, then there is no chain', () => {
    assert.deepEqual(chainIds([]), []);
  });
});

describe('ID arguments', () => {
  it('when a full digest is given, then it is looked up exactly', () => {
    assert.deepEqual(parseIdQuery(A), { exact: A });
    assert.deepEqual(parseIdQuery(A.slice(7)), { exact: A });
  });

  it('when a prefix is given, with or without sha256:, then it is searched', () => {
    assert.deepEqual(parseIdQuery('ca97'), { prefix: 'sha256:ca97' });
    assert.deepEqual(parseIdQuery('sha256:CA97'), { prefix: 'sha256:ca97' });
  });

  it('when the ID is empty, not hex or too long, then it is INVALID_ID', () => {
    for (const bad of ['', 'sha256:', 'xyz', "ca97' or 1=1--", `${A}0`, 'sha512:ca97', ' ca97']) {
      assert.throws(() => parseIdQuery(bad), { code: 'INVALID_ID' }, bad);
    }
  });
});

describe('config validation', () => {
  it('when a real config is parsed, then it passes and its layers are read', () => {
    for (const config of realConfigs) {
      const parsed = parseImageConfig(config.raw);
      assert.ok(parsed.diffIds.length >= 1);
      assert.ok(parsed.created !== null && !Number.isNaN(Date.parse(parsed.created)));
    }
  });

  it('when a config is valid, then the indexed fields are read from it', () => {
    const parsed = parseImageConfig(makeConfig(['base', 'app'], 'hello'));
    assert.equal(parsed.diffIds.length, 2);
    assert.equal(parsed.architecture, 'amd64');
    assert.equal(parsed.comment, 'hello');
    assert.equal(parsed.created, '2024-05-01T12:00:00Z');
  });

  const invalid: [string, string, RegExp][] = [
    ['not JSON', '{"rootfs":', /not JSON/],
    ['not an object', '[1,2]', /not a JSON object/],
    ['no rootfs', '{"os":"linux"}', /rootfs is missing/],
    ['rootfs not an object', '{"rootfs":"layers"}', /rootfs: .*expected object/],
    ['no rootfs.type', '{"rootfs":{"diff_ids":[]}}', /rootfs\.type is missing/],
    [
      'a bad diff ID',
      '{"rootfs":{"type":"layers","diff_ids":["sha256:abc"]}}',
      /rootfs\.diff_ids\[0\]: not a sha256 digest/,
    ],
    [
      'history not an array',
      '{"rootfs":{"type":"layers"},"history":{}}',
      /history: .*expected array/,
    ],
    [
      'created not a time',
      '{"rootfs":{"type":"layers"},"created":"last tuesday"}',
      /created: not an RFC 3339 date-time/,
    ],
    [
      'env not strings',
      '{"rootfs":{"type":"layers"},"config":{"Env":[1]}}',
      /config\.Env\[0\]: .*expected string/,
    ],
    [
      'empty_layer not boolean',
      '{"rootfs":{"type":"layers"},"history":[{"empty_layer":"yes"}]}',
      /history\[0\]\.empty_layer/,
    ],
    [
      'more non-empty history than layers',
      '{"rootfs":{"type":"layers","diff_ids":[]},"history":[{"created_by":"RUN x"}]}',
      /too many non-empty layers in History section/,
    ],
    ['a lone surrogate', '{"rootfs":{"type":"layers"},"comment":"\ud800"}', /lone surrogate/],
  ];
  for (const [name, raw, message] of invalid) {
    it(`when a config has ${name}, then it is INVALID_CONFIG naming the problem`, () => {
      assert.throws(() => parseImageConfig(raw), { code: 'INVALID_CONFIG', message });
    });
  }

  it('when history entries are empty layers, then they need no diff ID', () => {
    const raw =
      '{"rootfs":{"type":"layers","diff_ids":[]},' +
      '"history":[{"created_by":"ENV x","empty_layer":true}]}';
    assert.deepEqual(parseImageConfig(raw).diffIds, []);
  });

  it('when a config has fields the store does not know, then they pass', () => {
    assert.doesNotThrow(() =>
      parseImageConfig('{"rootfs":{"type":"layers"},"x-vendor":{"deep":[1,{"a":null}]}}'),
    );
  });
});
