import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';

const server = useTestServer();

// Five levels below the root, each node with its layers and parent.
const DEEP = `query ($id: String!) { image(id: $id) {
  id children { id parent { id } layers { chainId }
    children { id parent { id } layers { chainId }
      children { id parent { id } layers { chainId }
        children { id parent { id } layers { chainId }
          children { id shortId isHead parent { id } layers { chainId diffId } } } } } } } }`;

/** Builds a tree of the given fanout, 5 levels below its root, and returns the root's ID. */
async function buildTree(name: string, fanout: number): Promise<{ root: string; size: number }> {
  const root = { id: await server.create(makeConfig([name])), layers: [name] };
  let level = [root];
  let size = 1;
  for (let depth = 1; depth <= 5; depth++) {
    const next: (typeof root)[] = [];
    for (const parent of level) {
      for (let i = 0; i < fanout; i++) {
        const layers = [...parent.layers, `${i}`];
        const id = await server.create(makeConfig(layers, name));
        await server.setParent(id, parent.id);
        next.push({ id, layers });
      }
    }
    size += next.length;
    level = next;
  }
  return { root: root.id, size };
}

// The same shape written with fragments, as client libraries write it.
const DEEP_WITH_FRAGMENTS = `query ($id: String!) { image(id: $id) { id children { ...L1 } } }
  fragment Node on Image { id parent { id } layers { chainId } }
  fragment L1 on Image { ...Node children { ...Node ... on Image { children { ...L3 } } } }
  fragment L3 on Image { ...Node children { ...Node children {
    id shortId isHead parent { id } layers { chainId diffId } } } }`;

/** The number of SQL statements one request takes, and its answer. */
async function measure(root: string, query = DEEP) {
  const before = server.statements;
  const data = await server.data(query, { id: root });
  return { statements: server.statements - before, data };
}

function countNodes(node: any): number {
  return 1 + (node.children ?? []).reduce((sum: number, child: any) => sum + countNodes(child), 0);
}

describe('batching: a deep tree costs fixed statements, not one per image or level', () => {
  let narrow: { root: string; size: number };
  let wide: { root: string; size: number };
  before(async () => {
    narrow = await buildTree('narrow', 2);
    wide = await buildTree('wide', 3);
  });

  it('when 5-level trees of 63 and 364 images are read, then statement counts match', async () => {
    assert.equal(wide.size, 364);
    const small = await measure(narrow.root);
    const large = await measure(wide.root);
    assert.equal(countNodes(small.data.image), narrow.size);
    assert.equal(countNodes(large.data.image), wide.size);
    // The lookup, then the whole subtree with its layers, fetched ahead at the top level.
    assert.equal(small.statements, 2);
    assert.equal(large.statements, 2);
  });

  it('when nesting uses fragments, then it is read ahead alike, with the same answer', async () => {
    const plain = await measure(wide.root);
    const fragments = await measure(wide.root, DEEP_WITH_FRAGMENTS);
    assert.equal(fragments.statements, 2);
    assert.deepEqual(fragments.data, plain.data);
  });
});
