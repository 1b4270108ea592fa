import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { chainIds } from '../src/domain/chain-id.js';
import { diffId } from './support/configs.js';
import { useTestServer } from './support/harness.js';
import { shortId } from './support/ids.js';
import { realConfig, realConfigs } from './support/real-configs.js';

// One database for the whole file: every test builds its images on layers of
// its own names, so lineages never join across tests. The real configs come
// first, into an empty store, so that the lineage roots are theirs alone.
const server = useTestServer();

/** A history entry, in the config's own field names. */
interface Entry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

interface Spec {
  layers: string[];
  /** One `ADD <layer>` entry per layer unless given. */
  history?: Entry[];
  /** RFC 3339, 2024-05-01T12:00:00Z unless given; null leaves it out. */
  created?: string | null;
  /** The config's own comment: no part of the history, it changes the ID only. */
  note?: string;
  labels?: Record<string, string>;
}

const add = (layer: string): Entry => ({ created_by: `ADD ${layer} /` });
const label = (text: string): Entry => ({ created_by: `LABEL ${text}`, empty_layer: true });

function config(spec: Spec): string {
  const { layers, created = '2024-05-01T12:00:00Z' } = spec;
  return JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    ...(created === null ? {} : { created }),
    comment: spec.note ?? '',
    config: { Cmd: ['sh'], ...(spec.labels ? { Labels: spec.labels } : {}) },
    rootfs: { type: 'layers', diff_ids: layers.map(diffId) },
    history: spec.history ?? layers.map(add),
  });
}

/** An image's ID: the digest of its config's exact bytes. */
const idOf = (raw: string) => `sha256:${createHash('sha256').update(raw).digest('hex')}`;

/**
 * The spec with a note that puts its ID above (or below) another ID, so that
 * a tie-break that comes before the ID one is shown not to be the ID's doing.
 */
function placed(spec: Spec, side: 'above' | 'below', other: string): Spec {
  for (let n = 0; ; n++) {
    const note = `${spec.note ?? ''} #${n}`;
    const id = idOf(config({ ...spec, note }));
    if (side === 'above' ? id > other : id < other) return { ...spec, note };
  }
}

type Ids = Record<string, string>;

/** Stores the images in the order given; gives their IDs by name. */
async function createAll(specs: Record<string, Spec>): Promise<Ids> {
  const ids: Ids = {};
  for (const [name, spec] of Object.entries(specs)) ids[name] = await server.create(config(spec));
  return ids;
}

/** Names for IDs: an ID outside `ids` stays itself, so a stray one shows. */
function namer(ids: Ids): (id: string) => string {
  const names = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  return (id) => names.get(id) ?? id;
}

const LINEAGE = `query ($id: String!) { image(id: $id) {
  base { id } bases { id } derived { id } lineageRoot { id } } }`;

/** One image's lineage fields, with images by name. */
async function lineage(ids: Ids, name: string) {
  const name_ = namer(ids);
  const { image } = await server.data(LINEAGE, { id: ids[name] });
  return {
    base: image.base === null ? null : name_(image.base.id),
    bases: image.bases.map((x: any) => name_(x.id)),
    derived: image.derived.map((x: any) => name_(x.id)),
    lineageRoot: name_(image.lineageRoot.id),
  };
}

/** Every named image's base, by name (null for a lineage root). */
async function basesOf(ids: Ids): Promise<Record<string, string | null>> {
  const result: Record<string, string | null> = {};
  for (const name of Object.keys(ids)) result[name] = (await lineage(ids, name)).base;
  return result;
}

/** The names, ordered by their images' IDs. */
const byId = (ids: Ids, ...names: string[]) =>
  [...names].sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));

const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';

const ROOTS = `query ($label: [String!]) {
  images(first: 100, filter: { lineageRootsOnly: true, label: $label }) {
    totalCount edges { node { id } } } }`;

/** The IDs of the lineage roots, by ID (only those with the label, when given). */
async function roots(labelFilter?: string[]): Promise<string[]> {
  const { images } = await server.data(ROOTS, { label: labelFilter });
  const found = images.edges.map((edge: any) => edge.node.id);
  assert.equal(images.totalCount, found.length, 'the first page holds every root');
  return found;
}

// Each real config's base by the rule, worked out from the files themselves:
// [image, its base or null, why]. Short IDs; "layers" are rootfs.diff_ids.
// Three groups share a first layer: d619c4d8… (17 images, of 1, 2, 3 and 5
// layers, every longer chain extending the shorter ones), 980c9387… (4 images
// of 1 layer) and 03901b4a… (2 images of 1 layer); 8 images have a layer of
// their own. All images with the same chain length in a group share created.
const REAL_LINEAGE: [image: string, base: string | null, why: string][] = [
  [
    '03d7b3c657a4',
    '187f89fb0852',
    '2 layers; 8 1-layer prefixes, 4 with a history prefix (LABEL base=a), alike: lowest ID',
  ],
  [
    '0da9b7d747f2',
    '1b2d7646f08d',
    '5 layers; the 3-layer 1b2d7646/265cf623/6146077b chain is its prefix, longest such; ' +
      'no history a prefix (COPY layer3 vs ARG arg_label), alike: lowest ID',
  ],
  [
    '187f89fb0852',
    null,
    '1 layer; equal chain and history to 917a47e5/92351a10/92e13510, ' +
      'neither history a prefix with 72ef9867/79f0b6d4/93eeda5d/b4972303 (base=b)',
  ],
  [
    '1b2d7646f08d',
    '03d7b3c657a4',
    '3 layers; the 2-layer 03d7b3c6/cffb7c92 chain is its prefix, longest such; ' +
      'no history a prefix (ARG arg_label vs COPY layer2), alike: lowest ID',
  ],
  ['2097cbe98aab', '1b2d7646f08d', '5 layers; as 0da9b7d7'],
  ['265cf623914b', '03d7b3c657a4', '3 layers; as 1b2d7646'],
  ['2c0bee668dfa', null, '1 layer (base-b); equal chain and history to 3812/a7df/bb48'],
  ['3812057c3fcf', null, '1 layer; as 2c0bee66'],
  ['381d958b5558', null, '1 layer of its own'],
  ['602521dbab20', '1b2d7646f08d', '5 layers; as 0da9b7d7'],
  ['6146077b4bee', '03d7b3c657a4', '3 layers; as 1b2d7646'],
  ['6e0b05049ed9', null, '1 layer of its own (Bazel; 930705ce has another layer)'],
  [
    '72ef9867e70f',
    null,
    '1 layer; equal chain and history (base=b) to 79f0/93ee/b497, ' +
      'neither history a prefix with the base=a ones',
  ],
  ['79f0b6d4f769', null, '1 layer; as 72ef9867'],
  ['7ffdfe7d2762', null, '1 layer of its own'],
  ['913cf3a39d37', null, '1 layer of its own'],
  ['917a47e590b9', null, '1 layer; as 187f89fb'],
  ['92351a10d8ae', null, '1 layer; as 187f89fb'],
  ['92e1351053a2', null, '1 layer; as 187f89fb'],
  ['930705ce23e3', null, '1 layer of its own'],
  ['93eeda5d097c', null, '1 layer; as 72ef9867'],
  [
    'a527179158cd',
    null,
    '1 layer; equal chain and history to ce229a4e (only their created times differ)',
  ],
  ['a7df0b904212', null, '1 layer; as 2c0bee66'],
  ['aab808b283c3', null, '1 layer of its own'],
  ['adc1ef638916', '1b2d7646f08d', '5 layers; as 0da9b7d7'],
  ['b4972303e3b2', null, '1 layer; as 72ef9867'],
  ['bb4828702bed', null, '1 layer; as 2c0bee66'],
  ['ce229a4eb579', null, '1 layer; as a5271791'],
  ['cffb7c92259a', '187f89fb0852', '2 layers; as 03d7b3c6'],
  ['df11bc189ade', null, '1 layer of its own'],
  ['f732172ad8d2', null, '1 layer of its own'],
];

describe('lineage of the real configs', () => {
  const real = (prefix: string) => realConfig(prefix).id;

  it('when the 31 are stored without parents, then each gets the base of the table', async () => {
    assert.equal(realConfigs.length, 31);
    assert.deepEqual(
      REAL_LINEAGE.map(([image]) => image),
      realConfigs.map((config) => shortId(config.id)),
      'the table names every real config once, in file order',
    );
    for (const { raw } of realConfigs) await server.create(raw);
    const actual: Record<string, string | null> = {};
    for (const { id } of realConfigs) {
      const { image } = await server.data(
        'query ($id: String!) { image(id: $id) { base { shortId } } }',
        { id },
      );
      actual[shortId(id)] = image.base?.shortId ?? null;
    }
    assert.deepEqual(
      actual,
      Object.fromEntries(REAL_LINEAGE.map(([image, base]) => [image, base])),
    );
  });

  it('when roots are listed, then they are exactly those the table gives no base', async () => {
    const expected = REAL_LINEAGE.filter(([, base]) => base === null).map(([image]) => image);
    assert.equal(expected.length, 22);
    assert.deepEqual((await roots()).map(shortId), expected);
  });

  it('when bases, lineageRoot and derived are read, then they follow the table', async () => {
    const ids = Object.fromEntries(REAL_LINEAGE.map(([image]) => [image, real(image)]));
    assert.deepEqual(await lineage(ids, '0da9b7d747f2'), {
      base: '1b2d7646f08d',
      bases: ['1b2d7646f08d', '03d7b3c657a4', '187f89fb0852'],
      derived: [],
      lineageRoot: '187f89fb0852',
    });
    assert.deepEqual(await lineage(ids, '187f89fb0852'), {
      base: null,
      bases: [],
      derived: ['03d7b3c657a4', 'cffb7c92259a'],
      lineageRoot: '187f89fb0852',
    });
    assert.deepEqual(await lineage(ids, '03d7b3c657a4'), {
      base: '187f89fb0852',
      bases: ['187f89fb0852'],
      derived: ['1b2d7646f08d', '265cf623914b', '6146077b4bee'],
      lineageRoot: '187f89fb0852',
    });
    assert.deepEqual((await lineage(ids, '1b2d7646f08d')).derived, [
      '0da9b7d747f2',
      '2097cbe98aab',
      '602521dbab20',
      'adc1ef638916',
    ]);
    // Equal chains and histories: neither is the other's base.
    for (const image of ['a527179158cd', 'ce229a4eb579']) {
      assert.deepEqual(await lineage(ids, image), {
        base: null,
        bases: [],
        derived: [],
        lineageRoot: image,
      });
    }
    const { image } = await server.data(
      'query ($id: String!) { image(id: $id) { derivedDescendants { totalCount } } }',
      { id: real('187f89fb0852') },
    );
    assert.equal(image.derivedDescendants.totalCount, 2 + 3 + 4);
  });
});

describe('lineage: which images are candidate bases', () => {
  it('when a shorter chain is a prefix, then that image is the base', async () => {
    const ids = await createAll({
      x: { layers: ['prefix 1'] },
      y: { layers: ['prefix 1', 'prefix 2'] },
      other: { layers: ['prefix 1x', 'prefix 2'] },
    });
    assert.deepEqual(await basesOf(ids), { x: null, y: 'x', other: null });
  });

  it('when several chains are prefixes, then the longest one is the base', async () => {
    const ids = await createAll({
      one: { layers: ['longest 1'] },
      two: { layers: ['longest 1', 'longest 2'] },
      // Its history is no prefix of y's; the chain length comes first all the same.
      three: placed(
        { layers: ['longest 1', 'longest 2', 'longest 3'], history: [add('else')] },
        'above',
        idOf(config({ layers: ['longest 1', 'longest 2'] })),
      ),
      y: { layers: ['longest 1', 'longest 2', 'longest 3', 'longest 4'] },
      sideways: { layers: ['longest 1', 'longest 2', 'longest 3x', 'longest 4'] },
    });
    assert.deepEqual(await basesOf(ids), {
      one: null,
      two: 'one',
      three: 'two',
      y: 'three',
      sideways: 'two',
    });
  });

  it('when chains are equal and one history is a proper prefix, then it is the base', async () => {
    const ids = await createAll({
      x: { layers: ['proper 1'] },
      y: { layers: ['proper 1'], history: [add('proper 1'), label('y=1')] },
      z: { layers: ['proper 1'], history: [add('proper 1'), label('y=1'), label('z=1')] },
    });
    assert.deepEqual(await basesOf(ids), { x: null, y: 'x', z: 'y' });
  });

  it('when chains and histories are equal, then neither is the base of the other', async () => {
    const ids = await createAll({
      x: { layers: ['same 1', 'same 2'], note: 'x' },
      y: { layers: ['same 1', 'same 2'], note: 'y', created: '2030-01-01T00:00:00Z' },
    });
    assert.deepEqual(await basesOf(ids), { x: null, y: null });
  });

  it('when entries differ only in zero values or created offsets, then equal', async () => {
    const ids = await createAll({
      x: { layers: ['zero 1'], history: [{ created: '2024-01-01T00:00:00Z', created_by: 'c' }] },
      y: {
        layers: ['zero 1'],
        history: [
          {
            created: '2024-01-01T02:00:00.000+02:00',
            created_by: 'c',
            author: '',
            comment: '',
            empty_layer: false,
          },
        ],
      },
      z: {
        layers: ['zero 1'],
        history: [{ created: '2024-01-01T00:00:00Z', created_by: 'c' }, label('z')],
      },
    });
    const lower = byId(ids, 'x', 'y')[0]!;
    // x and y: equal histories, so no base; both candidates of z, alike: the lower ID.
    assert.deepEqual(await basesOf(ids), { x: null, y: null, z: lower });
  });

  it('when a history entry has no created, then it equals one at Go zero time', async () => {
    // Docker's History.Created is a time.Time: a missing one is 0001-01-01T00:00:00Z.
    const ids = await createAll({
      x: { layers: ['go zero 1'], history: [{ created_by: 'c' }] },
      y: {
        layers: ['go zero 1'],
        history: [{ created: '0001-01-01T00:00:00Z', created_by: 'c' }, label('y')],
      },
      // The same as y but for created left out: x is its base.
      z: { layers: ['go zero 1'], history: [{ created_by: 'c' }, label('z')] },
    });
    assert.deepEqual(await basesOf(ids), { x: null, y: 'x', z: 'x' });
  });

  it('when chains are equal and neither history is a prefix, then neither is a base', async () => {
    const ids = await createAll({
      x: { layers: ['apart 1'], history: [add('apart 1'), label('x')] },
      y: { layers: ['apart 1'], history: [add('apart 1'), label('y')] },
      // Shorter, but not a prefix of the others' histories either.
      short: { layers: ['apart 1'], history: [add('apart other')] },
    });
    assert.deepEqual(await basesOf(ids), { x: null, y: null, short: null });
  });

  it('when an image without layers is the only candidate, then it is the base', async () => {
    // A layerless image is a candidate base of every image: this test removes it again.
    const before = await roots();
    const specs: Record<string, Spec> = {
      alone: { layers: ['layerless 1'] },
      pair: { layers: ['layerless 2', 'layerless 3'] },
      above: { layers: ['layerless 2', 'layerless 3', 'layerless 4'] },
    };
    const ids = await createAll(specs);
    assert.deepEqual(await basesOf(ids), { alone: null, pair: null, above: 'pair' });
    const empty = await server.create(config({ layers: [], history: [], note: 'layerless' }));
    try {
      const all = { ...ids, empty };
      assert.deepEqual(await basesOf(all), {
        alone: 'empty',
        pair: 'empty',
        above: 'pair',
        empty: null,
      });
      assert.deepEqual(await roots(), [empty]);
      // Every root there was is now derived from it.
      const { image } = await server.data(LINEAGE, { id: empty });
      assert.deepEqual(
        image.derived.map((x: any) => x.id),
        [...before, ids.alone, ids.pair].sort(),
      );
      assert.deepEqual((await lineage(all, 'above')).bases, ['pair', 'empty']);
      assert.equal((await lineage(all, 'above')).lineageRoot, 'empty');
    } finally {
      await server.data(DELETE, { id: empty });
    }
    assert.deepEqual(await basesOf(ids), { alone: null, pair: null, above: 'pair' });
    assert.deepEqual(await roots(), [...before, ids.alone, ids.pair].sort());
  });
});

describe("lineage: choosing among the candidates, in the rule's order", () => {
  it('when a candidate has a history prefix, then it beats a longer history without', async () => {
    const y: Spec = { layers: ['hp 1', 'hp 2'], created: '2024-01-01T00:00:00Z' };
    const other: Spec = {
      layers: ['hp 1'],
      // Not a prefix of y's history, nor has prefix's as its own prefix.
      history: [add('hp other'), label('other')],
      created: '2024-01-01T00:00:00Z',
    };
    const ids = await createAll({
      other,
      // Shorter history, later created, higher ID: only the history prefix speaks for it.
      prefix: placed(
        { layers: ['hp 1'], created: '2025-01-01T00:00:00Z' },
        'above',
        idOf(config(other)),
      ),
      y,
    });
    assert.deepEqual(await basesOf(ids), { other: null, prefix: null, y: 'prefix' });
  });

  it('when histories are prefixes alike, then the longer history wins', async () => {
    const short: Spec = { layers: ['lh 1'], created: '2024-01-01T00:00:00Z' };
    const ids = await createAll({
      short,
      // Later created and a higher ID: only its longer history speaks for it.
      long: placed(
        { layers: ['lh 1'], history: [add('lh 1'), label('a')], created: '2025-01-01T00:00:00Z' },
        'above',
        idOf(config(short)),
      ),
      y: {
        layers: ['lh 1', 'lh 2'],
        history: [add('lh 1'), label('a'), add('lh 2')],
      },
    });
    assert.deepEqual(await basesOf(ids), { short: null, long: 'short', y: 'long' });
  });

  it('when histories are alike, then the earlier created wins', async () => {
    const later: Spec = { layers: ['ec 1'], created: '2024-01-01T00:00:00.000002Z' };
    const ids = await createAll({
      later,
      // A microsecond earlier, with a higher ID: only its time speaks for it.
      earlier: placed(
        { layers: ['ec 1'], created: '2024-01-01T00:00:00.000001Z' },
        'above',
        idOf(config(later)),
      ),
      y: { layers: ['ec 1', 'ec 2'] },
    });
    assert.deepEqual(await basesOf(ids), { later: null, earlier: null, y: 'earlier' });
  });

  it('when one candidate has no created time, then those with one come first', async () => {
    const dated: Spec = { layers: ['nc 1'], created: '2099-01-01T00:00:00Z' };
    const ids = await createAll({
      dated,
      undated: placed({ layers: ['nc 1'], created: null }, 'below', idOf(config(dated))),
      y: { layers: ['nc 1', 'nc 2'] },
    });
    assert.deepEqual(await basesOf(ids), { dated: null, undated: null, y: 'dated' });
  });

  it('when candidates differ in their note only, then the lower ID wins', async () => {
    const ids = await createAll({
      a: { layers: ['tie 1'], note: 'a' },
      b: { layers: ['tie 1'], note: 'b' },
      y: { layers: ['tie 1', 'tie 2'] },
    });
    assert.deepEqual(await basesOf(ids), { a: null, b: null, y: byId(ids, 'a', 'b')[0]! });
  });
});

describe('lineage: kept up to date as images come and go', () => {
  it('when a base is stored after its derived images, then they are re-pointed to it', async () => {
    const ids = await createAll({
      y1: { layers: ['late 1', 'late 2'], created: '2024-01-01T00:00:00Z' },
      y2: { layers: ['late 1', 'late 3'], created: '2024-01-01T00:00:00Z' },
    });
    assert.deepEqual(await basesOf(ids), { y1: null, y2: null });
    // Created after them, by its config's time as well.
    ids.x = await server.create(config({ layers: ['late 1'], created: '2030-01-01T00:00:00Z' }));
    assert.deepEqual(await basesOf(ids), { y1: 'x', y2: 'x', x: null });
    assert.deepEqual((await lineage(ids, 'x')).derived, byId(ids, 'y1', 'y2'));
  });

  it('when a middle image comes and goes, then derived images move to it and back', async () => {
    const ids = await createAll({
      x: { layers: ['mid 1'] },
      y1: { layers: ['mid 1', 'mid 2', 'mid 3'] },
      y2: { layers: ['mid 1', 'mid 2', 'mid 4'] },
      off: { layers: ['mid 1', 'mid 5'] },
    });
    assert.deepEqual(await basesOf(ids), { x: null, y1: 'x', y2: 'x', off: 'x' });
    ids.m = await server.create(config({ layers: ['mid 1', 'mid 2'] }));
    assert.deepEqual(await basesOf(ids), { x: null, y1: 'm', y2: 'm', off: 'x', m: 'x' });
    assert.deepEqual((await lineage(ids, 'm')).derived, byId(ids, 'y1', 'y2'));
    assert.deepEqual((await lineage(ids, 'x')).derived, byId(ids, 'off', 'm'));
    await server.data(DELETE, { id: ids.m });
    delete ids.m;
    assert.deepEqual(await basesOf(ids), { x: null, y1: 'x', y2: 'x', off: 'x' });
    assert.deepEqual((await lineage(ids, 'x')).derived, byId(ids, 'off', 'y1', 'y2'));
  });

  it('when images share a chain and a new one has it too, then it takes those it prefixes', async () => {
    const chain = ['eq 1', 'eq 2'];
    const own = (...labels: string[]) => ({
      layers: chain,
      history: [...chain.map(add), ...labels.map(label)],
    });
    const ids = await createAll({
      x: { layers: ['eq 1'] },
      // One chain, histories that are nobody's prefix: each has x, the shorter chain.
      v1: own('v1'),
      v2: own('v2'),
      v3: own('v3'),
    });
    assert.deepEqual(await basesOf(ids), { x: null, v1: 'x', v2: 'x', v3: 'x' });
    // Beside them, with a history none of theirs extends: nobody moves.
    ids.w = await server.create(config(own('w')));
    assert.deepEqual(await basesOf(ids), { x: null, v1: 'x', v2: 'x', v3: 'x', w: 'x' });
    // Their common history, a proper prefix of each: all of them move to it.
    ids.p = await server.create(config(own()));
    assert.deepEqual(await basesOf(ids), { x: null, v1: 'p', v2: 'p', v3: 'p', w: 'p', p: 'x' });
    // One that extends v1's history: v1 is its base, the others stay.
    ids.z = await server.create(config(own('v1', 'z')));
    assert.deepEqual((await lineage(ids, 'v1')).derived, ['z']);
    assert.deepEqual((await lineage(ids, 'p')).derived, byId(ids, 'v1', 'v2', 'v3', 'w'));
  });

  it('when a base gets a sibling of its chain, then only images it is nearer to move', async () => {
    const ids = await createAll({
      b: { layers: ['sib 1'] },
      d1: { layers: ['sib 1', 'sib 2'] },
      // b's chain is shorter: it is their base though its history is no prefix of theirs.
      d2: { layers: ['sib 1', 'sib 3'], history: [add('sib 1'), label('t'), add('sib 3')] },
      d3: { layers: ['sib 1', 'sib 4'], history: [add('other'), add('sib 4')] },
    });
    assert.deepEqual(await basesOf(ids), { b: null, d1: 'b', d2: 'b', d3: 'b' });
    // b's chain and a history that extends b's and prefixes d2's: d2 moves to it, and
    // so does d3, which neither history prefixes (the longer history wins).
    ids.t = await server.create(config({ layers: ['sib 1'], history: [add('sib 1'), label('t')] }));
    assert.deepEqual(await basesOf(ids), { b: null, d1: 'b', d2: 't', d3: 't', t: 'b' });
    // No prefix of d3's history, but longer than t's: d3 moves; d1 and d2 stay.
    ids.u = await server.create(
      config({ layers: ['sib 1'], history: [add('sib 1'), label('u1'), label('u2')] }),
    );
    assert.deepEqual(await basesOf(ids), { b: null, d1: 'b', d2: 't', d3: 'u', t: 'b', u: 'b' });
  });

  it('when a base is deleted, then its derived images get their next candidate', async () => {
    const ids = await createAll({
      x: { layers: ['next 1'] },
      // Same chain; its history is no prefix of y's, but its chain is longer than x's.
      apart: { layers: ['next 1', 'next 2'], history: [add('apart'), add('next 2')] },
      m: { layers: ['next 1', 'next 2'] },
      y: { layers: ['next 1', 'next 2', 'next 3'] },
    });
    assert.deepEqual(await basesOf(ids), { x: null, apart: 'x', m: 'x', y: 'm' });
    await server.data(DELETE, { id: ids.m });
    delete ids.m;
    assert.deepEqual(await basesOf(ids), { x: null, apart: 'x', y: 'apart' });
    await server.data(DELETE, { id: ids.x });
    delete ids.x;
    assert.deepEqual(await basesOf(ids), { apart: null, y: 'apart' });
  });
});

const DESCENDANTS = `query ($id: String!, $maxDepth: Int, $first: Int, $after: String) {
  image(id: $id) { derivedDescendants(maxDepth: $maxDepth, first: $first, after: $after) {
    totalCount edges { cursor depth node { id } } pageInfo { hasNextPage endCursor } } } }`;

describe('lineage: the API', () => {
  // r ─┬─ a ─┬─ a1
  //    │     └─ a2 ─ a2x
  //    └─ b ─── b1
  const tree = async (prefix: string) => {
    const l = (...names: string[]) => names.map((name) => `${prefix} ${name}`);
    return createAll({
      a2x: { layers: l('r', 'a', '2', 'x') },
      r: { layers: l('r') },
      a: { layers: l('r', 'a') },
      b: { layers: l('r', 'b') },
      a1: { layers: l('r', 'a', '1') },
      a2: { layers: l('r', 'a', '2') },
      b1: { layers: l('r', 'b', '1') },
    });
  };
  const depthOf: Record<string, number> = { a: 1, b: 1, a1: 2, a2: 2, b1: 2, a2x: 3 };
  /** The names as derivedDescendants lists them: by depth, then by ID. */
  const breadthFirst = (ids: Ids, names: string[]) =>
    byId(ids, ...names)
      .sort((x, y) => depthOf[x]! - depthOf[y]!)
      .map((name) => `${depthOf[name]}:${name}`);
  const named = (ids: Ids, edges: any[]) =>
    edges.map((edge) => `${edge.depth}:${namer(ids)(edge.node.id)}`);

  it('when base, bases and lineageRoot are read, then they go up to the root', async () => {
    const ids = await tree('up');
    assert.deepEqual(await lineage(ids, 'a2x'), {
      base: 'a2',
      bases: ['a2', 'a', 'r'],
      derived: [],
      lineageRoot: 'r',
    });
    assert.deepEqual(await lineage(ids, 'r'), {
      base: null,
      bases: [],
      derived: byId(ids, 'a', 'b'),
      lineageRoot: 'r',
    });
    assert.deepEqual((await lineage(ids, 'a')).derived, byId(ids, 'a1', 'a2'));
  });

  it('when derivedDescendants are read, then breadth-first with depths, to maxDepth', async () => {
    const ids = await tree('down');
    const all = await server.data(DESCENDANTS, { id: ids.r });
    assert.deepEqual(
      named(ids, all.image.derivedDescendants.edges),
      breadthFirst(ids, ['a', 'b', 'a1', 'a2', 'b1', 'a2x']),
    );
    assert.equal(all.image.derivedDescendants.totalCount, 6);
    const two = await server.data(DESCENDANTS, { id: ids.r, maxDepth: 2 });
    assert.deepEqual(
      named(ids, two.image.derivedDescendants.edges),
      breadthFirst(ids, ['a', 'b', 'a1', 'a2', 'b1']),
    );
    assert.equal(two.image.derivedDescendants.totalCount, 5);
    // Depths count from the image asked on: a's derived images stand at depth 1.
    const below = await server.data(DESCENDANTS, { id: ids.a });
    assert.deepEqual(named(ids, below.image.derivedDescendants.edges), [
      ...byId(ids, 'a1', 'a2').map((name) => `1:${name}`),
      '2:a2x',
    ]);
  });

  it('when derivedDescendants are paged with first and after, then pages join up', async () => {
    const ids = await tree('pages');
    const whole = (await server.data(DESCENDANTS, { id: ids.r })).image.derivedDescendants;
    const seen: any[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { image }: any = await server.data(DESCENDANTS, { id: ids.r, first: 2, after });
      assert.equal(image.derivedDescendants.totalCount, 6);
      seen.push(...image.derivedDescendants.edges);
      pages++;
      if (!image.derivedDescendants.pageInfo.hasNextPage) break;
      after = image.derivedDescendants.pageInfo.endCursor;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, whole.edges);
  });

  it('when layers are read, then depth counts from 1 and children go by chain ID', async () => {
    const layers = (...names: string[]) => names.map((name) => `layer tree ${name}`);
    await createAll({
      a: { layers: layers('1', '2', '3') },
      b: { layers: layers('1', '2', '4') },
      c: { layers: layers('1', '5') },
    });
    const [c1, c12, c123] = chainIds(layers('1', '2', '3').map(diffId));
    const c124 = chainIds(layers('1', '2', '4').map(diffId))[2]!;
    const c15 = chainIds(layers('1', '5').map(diffId))[1]!;
    const { layer } = await server.data(
      `query ($chainId: String!) { layer(chainId: $chainId) {
        chainId depth children { chainId depth
          children { chainId depth children { chainId } } } } }`,
      { chainId: c1 },
    );
    const sorted = (...xs: string[]) => xs.sort();
    const leaf = (chainId: string) => ({ chainId, depth: 3, children: [] });
    const expected = {
      chainId: c1,
      depth: 1,
      children: sorted(c12!, c15).map((chainId) =>
        chainId === c15
          ? { chainId, depth: 2, children: [] }
          : { chainId, depth: 2, children: sorted(c123!, c124).map(leaf) },
      ),
    };
    assert.deepEqual(layer, expected);
  });

  it('when lineageRootsOnly goes with a label, then both must hold', async () => {
    const key = 'test.lineage-roots=yes';
    const labels = { 'test.lineage-roots': 'yes' };
    const ids = await createAll({
      r1: { layers: ['roots 1'], labels },
      d1: { layers: ['roots 1', 'roots 2'], labels },
      r2: { layers: ['roots 3'], labels },
      unlabelled: { layers: ['roots 4'] },
    });
    assert.deepEqual((await roots([key])).map(namer(ids)), byId(ids, 'r1', 'r2'));
    const { images } = await server.data(
      'query ($label: [String!]) { images(filter: { label: $label }) { edges { node { id } } } }',
      { label: [key] },
    );
    assert.deepEqual(
      images.edges.map((edge: any) => namer(ids)(edge.node.id)),
      byId(ids, 'r1', 'd1', 'r2'),
    );
  });

  it('when an image has a parent link, then its base is still the one the rule gives', async () => {
    const ids = await createAll({
      base: { layers: ['linked 1'] },
      unrelated: { layers: ['linked other'] },
    });
    const { createImage } = await server.data(
      `mutation ($c: String!, $p: String) {
        createImage(config: $c, parent: $p) { image { id parent { id } base { id } } } }`,
      { c: config({ layers: ['linked 1', 'linked 2'] }), p: ids.unrelated },
    );
    ids.y = createImage.image.id;
    assert.deepEqual(createImage.image.parent, { id: ids.unrelated });
    assert.deepEqual(createImage.image.base, { id: ids.base });
    const links = `query ($id: String!) { image(id: $id) {
      parent { id } children { id } base { id } derived { id } } }`;
    const unrelated = (await server.data(links, { id: ids.unrelated })).image;
    assert.deepEqual(unrelated, {
      parent: null,
      children: [{ id: ids.y }],
      base: null,
      derived: [],
    });
    const base = (await server.data(links, { id: ids.base })).image;
    assert.deepEqual(base, { parent: null, children: [], base: null, derived: [{ id: ids.y }] });
    // Moving the parent link leaves the lineage as it was.
    await server.setParent(ids.y!, ids.base!);
    await server.setParent(ids.y!, null);
    assert.deepEqual(await lineage(ids, 'y'), {
      base: 'base',
      bases: ['base'],
      derived: [],
      lineageRoot: 'base',
    });
  });
});

describe('lineage: statements', () => {
  /** A lineage tree of this fanout, `levels` below its root; gives the root's ID and size. */
  async function buildLineage(name: string, fanout: number, levels: number) {
    const root = await server.create(config({ layers: [name] }));
    let level = [[name]];
    let size = 1;
    for (let depth = 1; depth <= levels; depth++) {
      level = level.flatMap((layers) =>
        Array.from({ length: fanout }, (_, i) => [...layers, `${name} ${depth}.${i}`]),
      );
      for (const layers of level) await server.create(config({ layers }));
      size += level.length;
    }
    return { root, size };
  }

  const nested = (levels: number): string => {
    let selection = 'id layers { chainId }';
    for (let i = 0; i < levels; i++) selection = `id layers { chainId } derived { ${selection} }`;
    return `query ($id: String!) { image(id: $id) { ${selection} } }`;
  };

  /** How many images the answer holds, each with the layers of its level (the root has one). */
  const count = (node: any, level = 0): number => {
    assert.equal(node.layers.length, level + 1);
    return (
      1 + (node.derived ?? []).reduce((sum: number, below: any) => sum + count(below, level + 1), 0)
    );
  };

  async function measure(root: string, levels: number) {
    const before = server.statements;
    const { image } = await server.data(nested(levels), { id: root });
    return { statements: server.statements - before, nodes: count(image) };
  }

  it('when derived nests 2, 3 or 4 levels deep, then the statements stay the same', async () => {
    const small = await buildLineage('statements small', 2, 4);
    const large = await buildLineage('statements large', 3, 4);
    const two = await measure(small.root, 2);
    // The lookup, then the whole lineage subtree with its layers, read ahead at the top level.
    assert.equal(two.statements, 2);
    assert.equal(two.nodes, 1 + 2 + 4);
    for (const [tree, levels, nodes] of [
      [small, 3, 1 + 2 + 4 + 8],
      [small, 4, small.size],
      [large, 2, 1 + 3 + 9],
      [large, 3, 1 + 3 + 9 + 27],
      [large, 4, large.size],
    ] as const) {
      const deeper = await measure(tree.root, levels);
      assert.equal(deeper.nodes, nodes);
      assert.equal(deeper.statements, two.statements, `${levels} levels of ${tree.size}`);
    }
  });
});
