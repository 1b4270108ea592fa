import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';
import { post } from './support/http.js';

const WRITE = 'write-secret-7f3a';
const READ = 'read-secret-91bc';
const server = useTestServer(
  {},
  { writeToken: WRITE, readToken: READ, corsOrigins: ['https://ui.example'] },
);
const CREATE = 'mutation CreateOne($c: String!) { createImage(config: $c) { image { id } } }';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const creating = (c: string) => ({ query: CREATE, variables: { c } });

describe('who may write and read', () => {
  it('when a mutation lacks a valid write token, then UNAUTHENTICATED and no change', async () => {
    const before = await server.counts();
    for (const headers of [
      {},
      bearer('wrong'),
      bearer(READ),
      bearer(`${WRITE}x`),
      { authorization: WRITE },
    ]) {
      const refused = creating(makeConfig(['a'], 'refused'));
      const { status, json } = await post(server.url, refused, { headers });
      assert.equal(status, 401);
      assert.equal(json.errors[0].extensions.code, 'UNAUTHENTICATED');
    }
    assert.deepEqual(await server.counts(), before);
  });

  it('when a mutation comes with the write token, then it is done', async () => {
    const written = creating(makeConfig(['a'], 'written'));
    const { status, json } = await post(server.url, written, { headers: bearer(WRITE) });
    assert.equal(status, 200);
    assert.match(json.data.createImage.image.id, /^sha256:/);
  });

  it('when a read token is set, then queries need it or the write token', async () => {
    // An image of its own, so that a read that works has something to count.
    const read = creating(makeConfig(['a'], 'read'));
    assert.equal((await post(server.url, read, { headers: bearer(WRITE) })).status, 200);
    const { images } = await server.counts();
    const query = { query: '{ images { totalCount } }' };
    const readWith = (headers: Record<string, string>) => post(server.url, query, { headers });
    assert.equal((await readWith({})).json.errors[0].extensions.code, 'UNAUTHENTICATED');
    assert.equal((await readWith(bearer('nope'))).status, 401);
    assert.equal((await readWith(bearer(READ))).json.data.images.totalCount, images);
    assert.equal((await readWith(bearer(WRITE))).json.data.images.totalCount, images);
  });

  it('when requests are logged, then one JSON line each: operation, code, no secrets', async () => {
    const secretConfig = makeConfig(['logged'], 'do-not-log-me');
    const named = { ...creating(secretConfig), operationName: 'CreateOne' };
    await post(server.url, named, { headers: bearer('wrong-token-123') });
    const line = server.lines.filter((entry) => entry.msg === 'request').at(-1)!;
    assert.equal(line.operation, 'CreateOne');
    assert.equal(line.status, 401);
    assert.deepEqual(line.errors, ['UNAUTHENTICATED']);
    assert.equal(typeof line.ms, 'number');
    const everything = JSON.stringify(server.lines);
    for (const secret of [WRITE, READ, 'wrong-token-123', 'do-not-log-me'])
      assert.ok(!everything.includes(secret), secret);
  });
});

describe('browsers', () => {
  it('when an allowed origin asks, then CORS lets it; another origin is not let in', async () => {
    const preflight = (origin: string) =>
      fetch(server.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    assert.equal(
      (await preflight('https://ui.example')).headers.get('access-control-allow-origin'),
      'https://ui.example',
    );
    assert.notEqual(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
      'https://evil.example',
    );
  });

  it('when a request could come from a plain form or link (CSRF), then it is refused', async () => {
    const response = await fetch(
      `${server.url}?query=${encodeURIComponent('{ images { totalCount } }')}`,
      { headers: bearer(READ) },
    );
    assert.equal(response.status, 403);
  });
});

describe('introspection', () => {
  const closed = useTestServer({}, { introspection: false });

  it('when introspection is off, then schema queries and suggestions are refused', async () => {
    const answer = await closed.gql('{ __schema { types { name } } }');
    assert.ok(answer.errors?.length, 'refused');
    assert.equal(answer.data, undefined);
    const typo = await closed.gql('{ imagez { totalCount } }');
    assert.doesNotMatch(typo.errors?.[0]?.message ?? '', /Did you mean/);
  });
});
