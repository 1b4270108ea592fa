import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { QUERIES } from '../bench/cases.js';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { post } from './support/http.js';
import { realConfigs } from './support/real-configs.js';

const server = useTestServer();
const CREATE = 'mutation ($c: String!) { createImage(config: $c) { image { id } } }';
let stored: Record<string, number>;

/** The server still answers and the store is as it was. */
async function unharmed() {
  assert.deepEqual(
    (await server.data('{ images { totalCount } }')).images.totalCount,
    stored.images,
  );
  assert.deepEqual(await server.counts(), stored);
}

const errorCode = (json: any) => json?.errors?.[0]?.extensions?.code;

describe('hostile input: a clear error, the server still answers, the store unchanged', () => {
  before(async () => {
    for (const config of realConfigs.slice(0, 5)) await server.create(config.raw);
    stored = await server.counts();
  });

  it('when the body is not JSON or of a wrong type, then it is a 4xx with a message', async () => {
    for (const [body, type] of [
      ['{"query": ', 'application/json'],
      ['query=%7B%7D', 'application/x-www-form-urlencoded'],
      ['{}', 'text/plain'],
      ['[1,2]', 'application/json'],
    ] as const) {
      const { status, json } = await post(server.url, body, { contentType: type });
      assert.ok(status >= 400 && status < 500, `${type} ${body}: ${status}`);
      assert.ok(json?.errors?.[0]?.message, `${type} ${body}: a message`);
    }
    await unharmed();
  });

  it('when a config is invalid in any known way, then it is INVALID_CONFIG', async () => {
    for (const config of [
      '',
      'null',
      '{}',
      '{"rootfs":{"type":7}}',
      '{"rootfs":{"type":"layers","diff_ids":"x"}}',
      '{"rootfs":{"type":"layers"},"history":[1]}',
    ]) {
      assert.equal(
        onlyError(await server.gql(CREATE, { c: config })).code,
        'INVALID_CONFIG',
        config,
      );
    }
    await unharmed();
  });

  it('when the body is 10 MB, then it is refused as too large, before any parsing', async () => {
    const config = makeConfig(['big']).replace(
      '"os":"linux"',
      `"os":"linux","pad":"${'x'.repeat(10 * 1024 * 1024)}"`,
    );
    const { status } = await post(server.url, { query: CREATE, variables: { c: config } });
    assert.equal(status, 413);
    await unharmed();
  });

  it('when a config nests 10,000 levels deep, then it is INVALID_CONFIG', async () => {
    const deep = `{"rootfs":{"type":"layers"},"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const error = onlyError(await server.gql(CREATE, { c: deep }));
    assert.equal(error.code, 'INVALID_CONFIG');
    assert.match(error.message, /nested more than 100 levels/);
    await unharmed();
  });

  it('when text holds NULs or lone surrogates, then a clear error or faithful store', async () => {
    // A raw NUL is not allowed in JSON text; an escaped one is, and is kept as sent.
    assert.equal(
      onlyError(await server.gql(CREATE, { c: '{"rootfs":{"type":"layers"},"os":"a\u0000b"}' }))
        .code,
      'INVALID_CONFIG',
    );
    const escaped = '{"rootfs":{"type":"layers"},"x-note":"a\\u0000b"}';
    const { createImage } = await server.data(
      'mutation ($c: String!) { createImage(config: $c) { image { id rawConfig config } } }',
      { c: escaped },
    );
    assert.equal(createImage.image.rawConfig, escaped);
    assert.equal(createImage.image.config['x-note'], 'a\u0000b');
    await server.data('mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }', {
      id: createImage.image.id,
    });
    // The fields the store indexes cannot hold one.
    const indexed = '{"rootfs":{"type":"layers"},"os":"a\\u0000b"}';
    assert.match(
      onlyError(await server.gql(CREATE, { c: indexed })).message,
      /os contains a NUL character/,
    );
    // A lone surrogate has no UTF-8 form, so it has no digest.
    const lone =
      `{"query":${JSON.stringify(CREATE)},` +
      `"variables":{"c":"{\\"rootfs\\":{\\"type\\":\\"layers\\"},\\"os\\":\\"\\ud800\\"}"}}`;
    const { json } = await post(server.url, lone);
    assert.equal(errorCode(json), 'INVALID_CONFIG');
    assert.equal(
      onlyError(
        await server.gql('query ($id: String!) { image(id: $id) { id } }', { id: 'ab\u0000' }),
      ).code,
      'INVALID_ID',
    );
    await unharmed();
  });

  it('when IDs carry SQL metacharacters, then they are INVALID_ID', async () => {
    for (const id of [
      "'; drop table images; --",
      '%',
      '_',
      'ab%',
      'sha256:ab\\',
      '\\x00',
      'ab cd',
    ]) {
      assert.equal(
        onlyError(await server.gql('query ($id: String!) { image(id: $id) { id } }', { id })).code,
        'INVALID_ID',
        id,
      );
      assert.equal(
        onlyError(
          await server.gql('mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }', {
            id,
          }),
        ).code,
        'INVALID_ID',
        id,
      );
    }
    await unharmed();
  });

  it('when first is 0, -1 or 10^9, or a cursor is forged, then it is BAD_USER_INPUT', async () => {
    for (const args of [
      'first: 0',
      'first: -1',
      'first: 1000000000',
      'after: "sha256:zz"',
      'after: "\' or 1=1"',
    ]) {
      assert.equal(
        onlyError(await server.gql(`{ images(${args}) { totalCount } }`)).code,
        'BAD_USER_INPUT',
        args,
      );
    }
    await unharmed();
  });

  it('when a query nests past the depth limit, then it is refused before it runs', async () => {
    const nested = `${'children { '.repeat(70)}id${' }'.repeat(70)}`;
    const bomb = `{ images { edges { node { ${nested} } } } }`;
    const before = server.statements;
    const answer = await server.gql(bomb);
    assert.equal(answer.errors?.[0]?.extensions?.code, 'QUERY_TOO_DEEP');
    assert.match(answer.errors?.[0]?.message ?? '', /depth limit of 64/);
    assert.equal(server.statements, before, 'no SQL ran');
    await unharmed();
  });

  it('when a query within depth fans out past the cost limit, then QUERY_TOO_COMPLEX', async () => {
    const nested = `${'children { '.repeat(12)}id layers { chainId }${' }'.repeat(12)}`;
    const wide = `{ images(first: 1000) { edges { node { ${nested} } } } }`;
    const error = onlyError(await server.gql(wide));
    assert.equal(error.code, 'QUERY_TOO_COMPLEX');
    assert.match(error.message, /estimated cost is \d+; this server takes at most 200000/);
    await unharmed();
  });

  it('when a query has 1,000 aliases, then it is refused', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: images { totalCount }`).join(
      ' ',
    );
    const answer = await server.gql(`{ ${aliases} }`);
    assert.equal(answer.errors?.[0]?.extensions?.code, 'TOO_MANY_ALIASES');
    await unharmed();
  });

  it('when fragments spread each other in a cycle, then it is refused', async () => {
    const answer = await server.gql(
      'query { images { ...A } } fragment A on ImageConnection { ...B } ' +
        'fragment B on ImageConnection { ...A }',
    );
    assert.equal(answer.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(answer.errors?.[0]?.message ?? '', /Cannot spread fragment "A" within itself/);
    await unharmed();
  });

  it('when a huge introspection query comes, then it is refused by the token limit', async () => {
    const fields = Array.from({ length: 3000 }, (_, i) => `s${i}: __schema { types { name } }`);
    const huge = `{ ${fields.join(' ')} }`;
    const answer = await server.gql(huge);
    assert.equal(answer.errors?.[0]?.extensions?.code, 'TOO_MANY_TOKENS');
    await unharmed();
  });

  it("when the benchmark's queries run, then the default limits let them all through", async () => {
    const [base] = (await server.data('{ images(first: 1) { edges { node { id } } } }')).images
      .edges;
    for (const [name, query] of Object.entries(QUERIES)) {
      const answer = await server.gql(query, { id: base.node.id, name: 'ubuntu:22.04' });
      assert.equal(answer.errors, undefined, `${name}: ${JSON.stringify(answer.errors)}`);
    }
  });
});

describe('a config larger than the config limit', () => {
  const small = useTestServer({}, { limits: { configBytes: 64 * 1024 } });

  it('when the body fits but the config does not, then PAYLOAD_TOO_LARGE, no write', async () => {
    const config = makeConfig(['big']).replace(
      '"os":"linux"',
      `"os":"linux","pad":"${'x'.repeat(100 * 1024)}"`,
    );
    const error = onlyError(await small.gql(CREATE, { c: config }));
    assert.equal(error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(error.message, /this server takes at most 65536/);
    assert.deepEqual(await small.counts(), { images: 0, layers: 0, refs: 0, links: 0 });
  });
});
