import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainIds } from '../src/domain/chain-id.js';
import { diffId } from './support/configs.js';
import { useTestServer } from './support/harness.js';

const server = useTestServer();

const CREATE = `mutation ($config: String!, $parent: String) {
  createImage(config: $config, parent: $parent) { image { id parent { id } } }
}`;
const DELETE = `mutation ($id: String!, $pruneParents: Boolean) {
  deleteImage(id: $id, pruneParents: $pruneParents) {
    deletedImageId deleted untagged releasedLayers { chainId diffId }
  }
}`;
const PRUNE = `mutation ($until: DateTime, $label: [String!]) {
  pruneImages(until: $until, label: $label) { deleted releasedLayers { chainId diffId } }
}`;
const TAG = `mutation ($image: String!, $reference: String!) {
  tagImage(image: $image, reference: $reference) { reference { name } }
}`;
const IMAGE = `query ($id: String!) {
  image(id: $id) { id isHead dangling repoTags parent { id } children { id } }
}`;
const DIGEST = `sha256:${'a'.repeat(64)}`;

interface Layer {
  chainId: string;
  diffId: string;
}

/** An image made here: its ID and the layers of its chain, base first. */
interface Made {
  id: string;
  layers: Layer[];
}

interface Spec {
  /** Layer names, base first: made into diff IDs. */
  layers: string[];
  labels?: Record<string, string>;
  /** RFC 3339; null leaves `created` out. */
  created?: string | null;
  parent?: Made;
}

/** Stores an image built from a spec, with a config only that spec makes. */
async function make({ layers, labels, created = '2024-05-01T12:00:00Z', parent }: Spec) {
  const diffIds = layers.map(diffId);
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    ...(created === null ? {} : { created }),
    config: { Cmd: ['sh'], ...(labels ? { Labels: labels } : {}) },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map((layer) => ({ created_by: `ADD ${layer} /` })),
  });
  const { createImage } = await server.data(CREATE, { config, parent: parent?.id ?? null });
  assert.deepEqual(createImage.image.parent, parent ? { id: parent.id } : null);
  const chain = chainIds(diffIds);
  return {
    id: createImage.image.id as string,
    layers: chain.map((chainId, i) => ({ chainId, diffId: diffIds[i]! })),
  };
}

/**
 * A chain of images, each on its parent, each with its parent's layers and
 * one more of its own: a name's first image is the root.
 */
async function chain(test: string, length: number, labels?: Record<string, string>) {
  const images: Made[] = [];
  for (let n = 1; n <= length; n++) {
    const layers = Array.from({ length: n }, (_, i) => `${test} ${i + 1}`);
    images.push(await make({ layers, labels, parent: images.at(-1) }));
  }
  return images;
}

/** The image's own top layer, which it alone holds in a chain made here. */
const top = (image: Made) => image.layers.at(-1)!;

const tag = (image: Made, reference: string) => server.data(TAG, { image: image.id, reference });
const deleteImage = async (id: string, pruneParents?: boolean) =>
  (await server.data(DELETE, { id, pruneParents })).deleteImage;
const prune = async (args: { until?: string; label?: string[] } = {}) =>
  (await server.data(PRUNE, args)).pruneImages;
const imageOf = async (image: Made) => (await server.data(IMAGE, { id: image.id })).image;

/** Which of these images are still stored. */
async function surviving(images: Record<string, Made>): Promise<string[]> {
  const left: string[] = [];
  for (const [name, image] of Object.entries(images)) if (await imageOf(image)) left.push(name);
  return left;
}

describe('deleteImage', () => {
  it('when a tagged image is deleted, then its references go and are listed', async () => {
    const image = await make({ layers: ['untagged 1'] });
    for (const name of [
      'rmnames/b:1',
      'rmnames/a:2',
      `rmnames/a@${DIGEST}`,
      'ghcr.io/rmnames/c:1',
    ]) {
      await tag(image, name);
    }
    const deleted = await deleteImage(image.id);
    assert.deepEqual(deleted, {
      deletedImageId: image.id,
      deleted: [image.id],
      untagged: ['ghcr.io/rmnames/c:1', 'rmnames/a:2', `rmnames/a@${DIGEST}`, 'rmnames/b:1'],
      releasedLayers: [top(image)],
    });
    const REFERENCE = 'query ($name: String!) { reference(name: $name) { name } }';
    for (const name of [
      'rmnames/b:1',
      'rmnames/a:2',
      `rmnames/a@${DIGEST}`,
      'ghcr.io/rmnames/c:1',
    ]) {
      assert.equal((await server.data(REFERENCE, { name })).reference, null, name);
    }
    const COUNT =
      'query ($repository: String) { references(repository: $repository) { totalCount } }';
    assert.equal((await server.data(COUNT, { repository: 'rmnames/a' })).references.totalCount, 0);
    assert.equal(await imageOf(image), null);
  });

  it('when a leaf is deleted with pruneParents, then parents go up to a tagged one', async () => {
    const [a, b, c, d] = (await chain('prune parents', 4)) as [Made, Made, Made, Made];
    await tag(b, 'pruneparents/b:1');
    const deleted = await deleteImage(d.id, true);
    assert.deepEqual(deleted, {
      deletedImageId: d.id,
      deleted: [d.id, c.id],
      untagged: [],
      releasedLayers: [top(d), top(c)],
    });
    assert.deepEqual(await surviving({ a, b, c, d }), ['a', 'b']);
    const left = await imageOf(b);
    assert.deepEqual(
      [left.parent, left.children, left.isHead, left.dangling],
      [{ id: a.id }, [], true, false],
    );
  });

  it('when a leaf is deleted without pruneParents, then only it goes', async () => {
    // No tags at all: every parent would be pruned if pruning were asked for.
    const [a, b, c, d] = (await chain('no prune', 4)) as [Made, Made, Made, Made];
    for (const [leaf, pruneParents] of [
      [d, undefined],
      [c, false],
    ] as const) {
      const deleted = await deleteImage(leaf.id, pruneParents);
      assert.deepEqual(deleted, {
        deletedImageId: leaf.id,
        deleted: [leaf.id],
        untagged: [],
        releasedLayers: [top(leaf)],
      });
    }
    assert.deepEqual(await surviving({ a, b, c, d }), ['a', 'b']);
    const left = await imageOf(b);
    assert.deepEqual([left.parent, left.isHead, left.dangling], [{ id: a.id }, true, true]);
  });

  it('when the chain is untagged to its root, then pruneParents deletes all of it', async () => {
    const [a, b, c] = (await chain('whole chain', 3)) as [Made, Made, Made];
    const deleted = await deleteImage(c.id, true);
    assert.deepEqual(deleted.deleted, [c.id, b.id, a.id]);
    assert.deepEqual(deleted.releasedLayers, [...c.layers].reverse());
    assert.deepEqual(await surviving({ a, b, c }), []);
  });

  it('when a parent has another child, then pruneParents keeps it till the last', async () => {
    const [root, parent] = (await chain('siblings', 2)) as [Made, Made];
    const x = await make({ layers: ['siblings 1', 'siblings 2', 'siblings x'], parent });
    const y = await make({ layers: ['siblings 1', 'siblings 2', 'siblings y'], parent });
    const first = await deleteImage(x.id, true);
    assert.deepEqual([first.deleted, first.releasedLayers], [[x.id], [top(x)]]);
    assert.deepEqual(await surviving({ root, parent, x, y }), ['root', 'parent', 'y']);
    const last = await deleteImage(y.id, true);
    assert.deepEqual(last.deleted, [y.id, parent.id, root.id]);
    assert.deepEqual(last.releasedLayers, [top(y), top(parent), top(root)]);
  });

  it('when the parent has only a repo digest, then it stops the pruning too', async () => {
    const [a, b, c] = (await chain('digested parent', 3)) as [Made, Made, Made];
    await tag(b, `digestedparent/b@${DIGEST}`);
    await tag(c, 'digestedparent/c:1');
    const deleted = await deleteImage(c.id, true);
    assert.deepEqual(deleted, {
      deletedImageId: c.id,
      deleted: [c.id],
      untagged: ['digestedparent/c:1'],
      releasedLayers: [top(c)],
    });
    assert.deepEqual(await surviving({ a, b, c }), ['a', 'b']);
  });

  it('when an image with a child is pruned upwards, then the child keeps its layers', async () => {
    const [a, b, c] = (await chain('middle', 3)) as [Made, Made, Made];
    const deleted = await deleteImage(b.id, true);
    // b's and a's layers are all c's too: none is released.
    assert.deepEqual([deleted.deleted, deleted.releasedLayers], [[b.id, a.id], []]);
    const left = await imageOf(c);
    assert.deepEqual([left.parent, left.dangling], [null, true]);
    assert.deepEqual(await surviving({ a, b, c }), ['c']);
  });
});

/** Checks a prune's answer: these images and no others, children before parents. */
function assertPruned(pruned: { deleted: string[]; releasedLayers: Layer[] }, expected: Made[][]) {
  const ids = expected.flat().map((image) => image.id);
  assert.deepEqual([...pruned.deleted].sort(), [...ids].sort());
  for (const path of expected) {
    const at = path.map((image) => pruned.deleted.indexOf(image.id));
    assert.deepEqual(
      at,
      [...at].sort((x, y) => x - y),
      'a child is deleted before its parent',
    );
  }
  return pruned.deleted;
}

describe('pruneImages with filters', () => {
  it('when images are pruned, then the dangling ones go, and the parents they leave', async () => {
    const label = { 'test.dangling': 'yes' };
    const taggedLeaf = await make({ layers: ['dangling tagged'], labels: label });
    await tag(taggedLeaf, 'prunedangling/leaf:1');
    const base = await make({ layers: ['dangling base'], labels: label });
    const taggedChild = await make({ layers: ['dangling base', 'c'], labels: label, parent: base });
    await tag(taggedChild, 'prunedangling/child:1');
    // The root has no label: it goes as a parent left dangling, as Docker's prune does.
    const grandparent = await make({ layers: ['dangling g1'] });
    const parent = await make({
      layers: ['dangling g1', 'g2'],
      labels: label,
      parent: grandparent,
    });
    const leaf = await make({ layers: ['dangling g1', 'g2', 'g3'], labels: label, parent });
    const loose = await make({ layers: ['dangling l1', 'l2'], labels: label });
    const unlabelled = await make({ layers: ['dangling unlabelled'] });
    const digested = await make({ layers: ['dangling digested'], labels: label });
    await tag(digested, `prunedangling/digested@${DIGEST}`);
    const twoKids = await make({ layers: ['dangling p1'], labels: label });
    const kid = await make({ layers: ['dangling p1', 'k1'], labels: label, parent: twoKids });
    const taggedKid = await make({ layers: ['dangling p1', 'k2'], labels: label, parent: twoKids });
    await tag(taggedKid, 'prunedangling/kid:1');
    const all = {
      ...{ taggedLeaf, base, taggedChild, grandparent, parent, leaf, loose },
      ...{ unlabelled, digested, twoKids, kid, taggedKid },
    };
    const before = await server.counts();

    const pruned = await prune({ label: ['test.dangling'] });
    const deleted = assertPruned(pruned, [[leaf, parent, grandparent], [loose], [kid]]);
    const released = new Map<string, Layer[]>([
      [leaf.id, [top(leaf)]],
      [parent.id, [top(parent)]],
      [grandparent.id, [top(grandparent)]],
      [loose.id, [...loose.layers].reverse()],
      [kid.id, [top(kid)]],
    ]);
    // For each deleted image in turn, its released layers, top first.
    assert.deepEqual(
      pruned.releasedLayers,
      deleted.flatMap((id) => released.get(id)!),
    );
    assert.deepEqual(await surviving(all), [
      'taggedLeaf',
      'base',
      'taggedChild',
      'unlabelled',
      'digested',
      'twoKids',
      'taggedKid',
    ]);
    const after = await server.counts();
    // 5 images, their 10 layer references and 3 parent links, and the 6 layers released.
    assert.deepEqual(after, {
      images: before.images! - 5,
      layers: before.layers! - 6,
      refs: before.refs! - 10,
      links: before.links! - 3,
    });

    // Nothing the first prune left is dangling under the filter now.
    assert.deepEqual(await prune({ label: ['test.dangling'] }), {
      deleted: [],
      releasedLayers: [],
    });
    assert.deepEqual(await server.counts(), after);
  });

  it('when until is given, then only dangling images created before it go', async () => {
    const label = { 'test.until': 'yes' };
    const old = await make({
      layers: ['until old'],
      labels: label,
      created: '2020-01-01T00:00:00Z',
    });
    const young = await make({
      layers: ['until young'],
      labels: label,
      created: '2030-01-01T00:00:00Z',
    });
    const timeless = await make({ layers: ['until none'], labels: label, created: null });
    const oldParent = await make({
      layers: ['until op'],
      labels: label,
      created: '2019-01-01T00:00:00Z',
    });
    const oldLeaf = await make({
      layers: ['until op', 'ol'],
      labels: label,
      created: '2020-06-01T00:00:00Z',
      parent: oldParent,
    });
    const keptParent = await make({
      layers: ['until kp'],
      labels: label,
      created: '2019-01-01T00:00:00Z',
    });
    const youngLeaf = await make({
      layers: ['until kp', 'yl'],
      labels: label,
      created: '2030-06-01T00:00:00Z',
      parent: keptParent,
    });
    const all = { old, young, timeless, oldParent, oldLeaf, keptParent, youngLeaf };

    const pruned = await prune({ until: '2025-01-01T00:00:00Z', label: ['test.until'] });
    assertPruned(pruned, [[old], [oldLeaf, oldParent]]);
    assert.deepEqual(await surviving(all), ['young', 'timeless', 'keptParent', 'youngLeaf']);
    const again = await prune({ until: '2025-01-01T00:00:00Z', label: ['test.until'] });
    assert.deepEqual(again, { deleted: [], releasedLayers: [] });

    // Without until, the rest of them go.
    assertPruned(await prune({ label: ['test.until'] }), [
      [young],
      [timeless],
      [youngLeaf, keptParent],
    ]);
    assert.deepEqual(await surviving(all), []);
  });

  it('when labels are given, then an image must have all of them, key or key=value', async () => {
    const make1 = (name: string, labels: Record<string, string>) =>
      make({ layers: [`label ${name}`], labels: { 'test.label': 'yes', ...labels } });
    const all = {
      teamProd: await make1('team prod', { env: 'prod', team: 'x' }),
      prod: await make1('prod', { env: 'prod' }),
      dev: await make1('dev', { env: 'dev' }),
      bare: await make1('bare', {}),
      taggedProd: await make1('tagged prod', { env: 'prod', team: 'x' }),
    };
    await tag(all.taggedProd, 'prunelabel/prod:1');
    const steps: [label: string[], deleted: Made[]][] = [
      [['test.label', 'nokey'], []],
      [['test.label', 'env=staging'], []],
      [['test.label=no', 'env=prod'], []],
      [['test.label', 'env=prod', 'team'], [all.teamProd]],
      [['test.label', 'team'], []],
      [['test.label=yes', 'env=prod'], [all.prod]],
      [['test.label', 'env'], [all.dev]],
      [['test.label=yes'], [all.bare]],
      [['test.label'], []],
    ];
    for (const [label, deleted] of steps) {
      const pruned = await prune({ label });
      assert.deepEqual(
        pruned,
        { deleted: deleted.map((image) => image.id), releasedLayers: deleted.map(top) },
        label.join(' '),
      );
    }
    assert.deepEqual(await surviving(all), ['taggedProd']);
  });
});

// Last in the file: an unfiltered prune takes every dangling image the other tests left.
describe('pruneImages without filters', () => {
  it('when nothing filters, then every dangling image goes, tagged chains stay', async () => {
    const loose = await make({ layers: ['unfiltered loose'] });
    const [root, middle, leaf] = (await chain('unfiltered chain', 3)) as [Made, Made, Made];
    const tagged = await make({ layers: ['unfiltered tagged'] });
    await tag(tagged, 'unfiltered/tagged:1');
    const [base, child] = (await chain('unfiltered kept', 2)) as [Made, Made];
    await tag(child, 'unfiltered/child:1');

    const pruned = await prune();
    for (const image of [loose, root, middle, leaf]) assert.ok(pruned.deleted.includes(image.id));
    const at = [leaf, middle, root].map((image) => pruned.deleted.indexOf(image.id));
    assert.deepEqual(
      at,
      [...at].sort((x, y) => x - y),
      'a child is deleted before its parent',
    );
    for (const layer of [top(loose), top(leaf), top(middle), top(root)]) {
      assert.ok(
        pruned.releasedLayers.some((released: Layer) => released.chainId === layer.chainId),
      );
    }
    assert.deepEqual(await surviving({ loose, root, middle, leaf, tagged, base, child }), [
      'tagged',
      'base',
      'child',
    ]);
    const DANGLING = '{ images(filter: { dangling: true }) { totalCount } }';
    assert.equal((await server.data(DANGLING)).images.totalCount, 0);
    assert.deepEqual(await prune(), { deleted: [], releasedLayers: [] });
  });

  it('when only until is given, then the dangling images created before it go', async () => {
    // The test before left nothing dangling: these are the only candidates.
    const old = await make({ layers: ['unfiltered old'], created: '2001-01-01T00:00:00Z' });
    const young = await make({ layers: ['unfiltered young'], created: '2031-01-01T00:00:00Z' });
    const pruned = await prune({ until: '2010-01-01T00:00:00Z' });
    assert.deepEqual(pruned, { deleted: [old.id], releasedLayers: [top(old)] });
    assert.deepEqual(await surviving({ old, young }), ['young']);
  });
});
