import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

/** The number of SQL statements one request takes, and its answer. */
async function measure(root: string) {
  const before = server.statements;
  const data = await server.data(DEEP, { id: root });
  return { statements: server.statements - before, data };
}

function countNodes(node: any): number {
  return 1 + (node.children ?? []).reduce((sum: number, child: any) => sum + countNodes(child), 0);
}

describe('batching: a deep tree costs statements per level, not per image', () => {
  it('when a 5-level tree is queried, then the statement count is the same for fanout 2 (63 images) and 3 (364 images)', async () => {
    const narrow = await buildTree('narrow', 2);
    const wide = await buildTree('wide', 3);
    assert.equal(wide.size, 364);

    const small = await measure(narrow.root);
    const large = await measure(wide.root);
    assert.equal(countNodes(small.data.image), narrow.size);
    assert.equal(countNodes(large.data.image), wide.size);
    assert.equal(large.statements, small.statements);
    // Lookup, then per level one statement for children and one for layers.
    assert.ok(large.statements <= 2 + 5 * 2, `${large.statements} statements`);
  });
});
