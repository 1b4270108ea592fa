import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { shortId } from './support/ids.js';

// A tree depth cap of 4 here, so that the cap shows on a small tree.
const server = useTestServer({}, { maxTreeDepth: 4 });
const ids: Record<string, string> = {};

const DESCENDANTS = `query ($id: String!, $maxDepth: Int, $first: Int, $after: String) {
  image(id: $id) { descendants(maxDepth: $maxDepth, first: $first, after: $after) {
    totalCount edges { cursor depth node { id } } pageInfo { hasNextPage endCursor } } } }`;

const CREATE = `mutation ($c: String!, $p: String) {
  createImage(config: $c, parent: $p) { created image { id parent { id } } } }`;

/** Names of the edges, with their depths. */
const named = (edges: any[]) => {
  const names = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
  return edges.map((edge) => `${edge.depth}:${names[edge.node.id]}`);
};

// a0 ─ a1 ─┬─ a2 ─ a3 ─ a4 ─ a5
//          └─ b2 ─ c3
describe('tree walks: descendants and ancestors', () => {
  before(async () => {
    const links: [string, string | null][] = [
      ['a0', null],
      ['a1', 'a0'],
      ['a2', 'a1'],
      ['a3', 'a2'],
      ['a4', 'a3'],
      ['a5', 'a4'],
      ['b2', 'a1'],
      ['c3', 'b2'],
    ];
    for (const [name, parent] of links) {
      const { createImage } = await server.data(CREATE, {
        c: makeConfig([name]),
        p: parent && ids[parent],
      });
      ids[name] = createImage.image.id;
    }
  });

  it('when descendants are read, then breadth-first (depth, then ID), to the cap', async () => {
    const { image } = await server.data(DESCENDANTS, { id: ids.a0 });
    const byDepthThenId = ['a1', 'a2', 'b2', 'a3', 'c3', 'a4']
      .map((name) => ({ name, depth: Number(name.slice(1)), id: ids[name]! }))
      .sort((x, y) => x.depth - y.depth || (x.id < y.id ? -1 : 1))
      .map((x) => `${x.depth}:${x.name}`);
    assert.deepEqual(named(image.descendants.edges), byDepthThenId);
    assert.equal(image.descendants.totalCount, 6);
  });

  it('when maxDepth is given, then no deeper image is listed or counted', async () => {
    const { image } = await server.data(DESCENDANTS, { id: ids.a0, maxDepth: 2 });
    assert.deepEqual(named(image.descendants.edges).sort(), ['1:a1', '2:a2', '2:b2']);
    assert.equal(image.descendants.totalCount, 3);
  });

  it('when descendants are paged by first and after, then pages make the whole walk', async () => {
    const { image: whole } = await server.data(DESCENDANTS, { id: ids.a1 });
    const seen: any[] = [];
    let after: string | null = null;
    for (;;) {
      const { image }: any = await server.data(DESCENDANTS, { id: ids.a1, first: 2, after });
      seen.push(...image.descendants.edges);
      if (!image.descendants.pageInfo.hasNextPage) break;
      after = image.descendants.pageInfo.endCursor;
    }
    assert.deepEqual(seen, whole.descendants.edges);
  });

  it('when maxDepth is out of 1..cap or the cursor is foreign, then BAD_USER_INPUT', async () => {
    for (const variables of [
      { maxDepth: 0 },
      { maxDepth: 5 },
      { after: '1:xyz' },
      { after: 'sha256:00' },
    ]) {
      const error = onlyError(await server.gql(DESCENDANTS, { id: ids.a0, ...variables }));
      assert.equal(error.code, 'BAD_USER_INPUT', JSON.stringify(variables));
    }
  });

  it('when ancestors are asked past the depth cap, then the walk stops at the cap', async () => {
    const { image } = await server.data(
      'query ($id: String!) { image(id: $id) { ancestors { id } } }',
      { id: ids.a5 },
    );
    assert.deepEqual(
      image.ancestors.map((a: any) => a.id),
      [ids.a4, ids.a3, ids.a2, ids.a1],
    );
  });

  it("when many images' ancestors and descendants are read, then one statement each", async () => {
    const before = server.statements;
    const { images } = await server.data(`{ images(first: 20) { edges { node {
      ancestors { id } descendants(first: 5) { edges { depth } } } } } }`);
    // The page, one batched ancestors walk, and one descendants walk per image listed.
    assert.ok(images.edges.length >= Object.keys(ids).length, 'the page holds the tree, at least');
    assert.equal(server.statements - before, 1 + 1 + images.edges.length);
  });
});

describe('createImage with a parent', () => {
  it('when a new image names its parent, then it is linked in the same write', async () => {
    const parent = await server.create(makeConfig(['p0'], 'named parent'));
    const c = makeConfig(['p0', 'x'], 'named parent');
    const { createImage } = await server.data(CREATE, { c, p: shortId(parent) });
    assert.equal(createImage.created, true);
    assert.deepEqual(createImage.image.parent, { id: parent });
  });

  it('when the parent does not exist, then it is NOT_FOUND and nothing is written', async () => {
    const before = await server.counts();
    const error = onlyError(await server.gql(CREATE, { c: makeConfig(['orphan']), p: 'ffffff' }));
    assert.equal(error.code, 'NOT_FOUND');
    assert.deepEqual(await server.counts(), before);
  });

  it('when the image already exists, then the parent argument changes nothing', async () => {
    const parent = await server.create(makeConfig(['e0'], 'kept parent'));
    const other = await server.create(makeConfig(['e1'], 'kept parent'));
    const c = makeConfig(['e0', 'e2'], 'kept parent');
    await server.data(CREATE, { c, p: parent });
    const { createImage } = await server.data(CREATE, { c, p: other });
    assert.equal(createImage.created, false);
    assert.deepEqual(createImage.image.parent, { id: parent });
  });
});
