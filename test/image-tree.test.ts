import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';

const server = useTestServer();
const ids: Record<string, string> = {};

// root ── mid ──┬── leaf1
//               └── leaf2        lone (no links)
async function build(): Promise<void> {
  ids.root = await server.create(makeConfig(['os']));
  ids.mid = await server.create(makeConfig(['os', 'runtime']));
  ids.leaf1 = await server.create(makeConfig(['os', 'runtime', 'app1']));
  ids.leaf2 = await server.create(makeConfig(['os', 'runtime', 'app2']));
  ids.lone = await server.create(makeConfig(['other']));
  await server.setParent(ids.mid!, ids.root!);
  await server.setParent(ids.leaf1!, ids.mid!);
  await server.setParent(ids.leaf2!, ids.mid!);
}

// Every test of the file reads this one store and none changes it, so it is
// built once, before whichever describe runs first.
let built: Promise<void> | undefined;
const tree = () => (built ??= build());

describe('image trees: parent, children, ancestors, heads', () => {
  before(tree);

  it('when a tree is read, then parent, children (by ID) and isHead follow the links', async () => {
    const { image } = await server.data(
      `query ($id: String!) { image(id: $id) {
         id isHead parent { id } children { id isHead parent { id } children { id isHead } } } }`,
      { id: ids.root },
    );
    assert.equal(image.parent, null);
    assert.equal(image.isHead, false);
    assert.deepEqual(
      image.children.map((c: any) => c.id),
      [ids.mid],
    );
    const mid = image.children[0];
    assert.deepEqual(mid.parent, { id: ids.root });
    assert.deepEqual(
      mid.children,
      [ids.leaf1, ids.leaf2].sort().map((id) => ({ id, isHead: true })),
    );
  });

  it('when ancestors are asked for, then they come parent first, up to the root', async () => {
    const { image } = await server.data(
      'query ($id: String!) { image(id: $id) { ancestors { id } } }',
      { id: ids.leaf2 },
    );
    assert.deepEqual(
      image.ancestors.map((a: any) => a.id),
      [ids.mid, ids.root],
    );
    const { image: root } = await server.data(
      'query ($id: String!) { image(id: $id) { ancestors { id } } }',
      { id: ids.root },
    );
    assert.deepEqual(root.ancestors, []);
  });

  it("when an image has a parent, then its layers extend its parent's, base first", async () => {
    const { image } = await server.data(
      `query ($id: String!) { image(id: $id) {
        layers { chainId parent { chainId } } parent { layers { chainId } } } }`,
      { id: ids.leaf1 },
    );
    const chain = image.layers.map((layer: any) => layer.chainId);
    assert.equal(chain.length, 3);
    assert.deepEqual(
      image.parent.layers.map((layer: any) => layer.chainId),
      chain.slice(0, 2),
    );
    assert.deepEqual(
      image.layers.map((layer: any) => layer.parent?.chainId ?? null),
      [null, ...chain.slice(0, 2)],
    );
  });
});

describe('images: the whole store as a connection (Map and Heads)', () => {
  before(tree);

  it('when listed, then every image comes once, ordered by ID, with a total count', async () => {
    const { images } = await server.data(
      '{ images { totalCount edges { cursor node { id } } pageInfo { hasNextPage } } }',
    );
    const all = Object.values(ids).sort();
    assert.equal(images.totalCount, all.length);
    assert.deepEqual(
      images.edges.map((e: any) => e.node.id),
      all,
    );
    assert.deepEqual(
      images.edges.map((e: any) => e.cursor),
      all,
    );
    assert.equal(images.pageInfo.hasNextPage, false);
  });

  it('when paged with first and after, then the pages join up to the whole list', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { images }: any = await server.data(
        `query ($after: String) { images(first: 2, after: $after) {
          edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...images.edges.map((e: any) => e.node.id));
      if (!images.pageInfo.hasNextPage) break;
      after = images.pageInfo.endCursor;
    }
    assert.deepEqual(seen, Object.values(ids).sort());
  });

  it('when headsOnly is set, then only images without children are listed', async () => {
    const { images } = await server.data(
      '{ images(headsOnly: true) { totalCount edges { node { id isHead } } } }',
    );
    const heads = [ids.leaf1, ids.leaf2, ids.lone].sort();
    assert.equal(images.totalCount, heads.length);
    assert.deepEqual(
      images.edges.map((e: any) => e.node),
      heads.map((id) => ({ id, isHead: true })),
    );
  });

  it('when first is out of range or the cursor is foreign, then it is BAD_USER_INPUT', async () => {
    for (const args of ['first: 0', 'first: -1', 'first: 1000000000', 'after: "not-a-cursor"']) {
      const answer = await server.gql(`{ images(${args}) { totalCount } }`);
      assert.equal(answer.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', args);
    }
  });
});
