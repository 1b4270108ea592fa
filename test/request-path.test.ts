import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';

const server = useTestServer();
// A server that wants a write token, for the refusal of a mutation without one.
const guarded = useTestServer({}, { writeToken: 'write-secret' });

interface Raw {
  status: number;
  type: string | undefined;
  body: string;
}

/**
 * A POST as a client sends it: with a content-length (the lean path), or
 * chunked, which the lean path leaves to yoga whole. The two must answer alike.
 */
function post(
  body: string,
  headers: Record<string, string>,
  chunked: boolean,
  to = server.url,
): Promise<Raw> {
  const url = new URL(to);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...(chunked
            ? { 'transfer-encoding': 'chunked' }
            : { 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            type: response.headers['content-type'],
            body: text,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('the request path: a JSON POST answers the same on the lean path as through yoga', () => {
  let id: string;
  before(async () => {
    id = await server.create(makeConfig(['lean-base']));
  });

  const cases: [string, () => string, Record<string, string>?, (() => string)?][] = [
    [
      'a query',
      () => JSON.stringify({ query: `{ image(id: "${id}") { id shortId isHead } }` }),
      {},
    ],
    ['a trivial query', () => JSON.stringify({ query: '{ __typename }' }), {}],
    ['a validation error', () => JSON.stringify({ query: '{ nope }' }), {}],
    ['a syntax error', () => JSON.stringify({ query: '{ image(' }), {}],
    [
      'a missing variable',
      () => JSON.stringify({ query: 'query ($id: String!) { image(id: $id) { id } }' }),
      {},
    ],
    ['a resolver error', () => JSON.stringify({ query: '{ image(id: "zz") { id } }' }), {}],
    ['an unknown parameter', () => JSON.stringify({ query: '{ __typename }', extra: 1 }), {}],
    ['a batch', () => JSON.stringify([{ query: '{ __typename }' }]), {}],
    ['bad JSON', () => '{"query": ', {}],
    [
      'a mutation without the write token',
      () =>
        JSON.stringify({
          query: `mutation { deleteImage(id: "${id}") { releasedLayers { chainId } } }`,
        }),
      {},
      () => guarded.url,
    ],
    [
      'a named operation',
      () =>
        JSON.stringify({
          query: 'query A { __typename } query B { __typename }',
          operationName: 'B',
        }),
      {},
    ],
    [
      'another accepted media type',
      () => JSON.stringify({ query: '{ nope }' }),
      { accept: 'application/graphql-response+json' },
    ],
    [
      'a depth bomb',
      () =>
        JSON.stringify({
          query: `{ ${'image(id: "x") { children { '.repeat(40)} id ${'} } '.repeat(40)} }`,
        }),
      {},
    ],
  ];
  for (const [name, body, headers, target] of cases) {
    it(`when ${name} comes, then status, type and body are yoga's`, async () => {
      const lean = await post(body(), headers ?? {}, false, target?.());
      const whole = await post(body(), headers ?? {}, true, target?.());
      assert.deepEqual(lean, whole);
    });
  }

  it('when a request is answered on the lean path, then it is logged and counted', async () => {
    const before = server.lines.length;
    const answer = await post(JSON.stringify({ query: '{ nope: __typename }' }), {}, false);
    assert.equal(answer.status, 200);
    const line = server.lines.slice(before).find((entry) => entry.msg === 'request');
    assert.equal(line?.operation, undefined);
    const named = await post(
      JSON.stringify({ query: 'query Probe { __typename }', operationName: 'Probe' }),
      {},
      false,
    );
    assert.equal(named.status, 200);
    const logged = server.lines.filter(
      (entry) => entry.msg === 'request' && entry.operation === 'Probe',
    );
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.status, 200);
    assert.equal(logged[0]?.path, '/graphql');
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    assert.match(metrics, /graphql_yoga_http_duration_count\{[^}]*operationName="Probe"[^}]*\} 1/);
  });
});

describe('look-ahead at the root: an image with its parent and children in one statement', () => {
  let parent: string;
  let middle: string;
  let children: string[];
  before(async () => {
    parent = await server.create(makeConfig(['one-statement']));
    middle = await server.create(makeConfig(['one-statement', 'm']));
    await server.setParent(middle, parent);
    children = [];
    for (const name of ['a', 'b', 'c']) {
      const child = await server.create(makeConfig(['one-statement', 'm', name]));
      await server.setParent(child, middle);
      children.push(child);
    }
    children.sort();
  });

  async function measure(query: string, variables?: Record<string, unknown>) {
    const before = server.statements;
    const data = await server.data(query, variables);
    return { statements: server.statements - before, data };
  }

  it('when an image is read by ID with parent and children, then it takes one statement', async () => {
    const { statements, data } = await measure(
      `query ($id: String!) { image(id: $id) {
        id isHead parent { id isHead created } children { id isHead parent { id } } } }`,
      { id: middle },
    );
    assert.equal(statements, 1);
    assert.equal(data.image.parent.id, parent);
    assert.equal(data.image.parent.isHead, false);
    assert.equal(typeof data.image.parent.created, 'string');
    assert.deepEqual(
      data.image.children.map((child: { id: string }) => child.id),
      children,
    );
    for (const child of data.image.children) {
      assert.equal(child.isHead, true);
      assert.equal(child.parent.id, middle);
    }
  });

  it('when the same fields are read one image at a time, then the answers agree', async () => {
    const together = await server.data(
      `query ($id: String!) { image(id: $id) { parent { id created architecture os isHead }
        children { id created isHead } } }`,
      { id: middle },
    );
    const alone = await server.data(
      `query ($p: String!) { image(id: $p) { id created architecture os isHead } }`,
      { p: parent },
    );
    assert.deepEqual(together.image.parent, alone.image);
    for (const child of together.image.children) {
      const own = await server.data(`query ($c: String!) { image(id: $c) { id created isHead } }`, {
        c: child.id,
      });
      assert.deepEqual(child, own.image);
    }
  });

  it('when a page of images reads parents, children and layers, then it takes one statement', async () => {
    const { statements, data } = await measure(
      `{ images(first: 50) { edges { node { id parent { id } children { id } layers { chainId } } } } }`,
    );
    assert.equal(statements, 1);
    const byId = new Map(data.images.edges.map((edge: any) => [edge.node.id, edge.node]));
    const node = byId.get(middle) as any;
    if (node) {
      assert.equal(node.parent.id, parent);
      assert.deepEqual(
        node.children.map((child: { id: string }) => child.id),
        children,
      );
      assert.equal(node.layers.length, 2);
    }
  });

  it('when children nest deeper, then the subtree is still read ahead in two statements', async () => {
    const { statements, data } = await measure(
      `query ($id: String!) { image(id: $id) { id parent { id } children { id children { id } } } }`,
      { id: parent },
    );
    assert.equal(statements, 2);
    assert.equal(data.image.children[0].id, middle);
    assert.equal(data.image.children[0].children.length, 3);
  });
});
