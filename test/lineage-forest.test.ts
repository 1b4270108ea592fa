import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateForest } from '../bench/forest.js';
import { digestOf } from '../src/domain/digest.js';
import { parseImageConfig } from '../src/domain/image-config.js';
import { lineageKeyOf, lineageOf } from '../src/domain/lineage.js';
import { verifyStore } from '../src/store/verify.js';
import { seededRandom } from './chaos/workload.js';
import { useTestServer } from './support/harness.js';

// The benchmark's forest, sampled and written out of order: the shapes a
// store of pulled images takes (no parent links; deep chains; a tenth of the
// images add no layer, so many share one chain; most images' parents are
// missing, others come after the images built on them). After each phase
// every base must be what the rule gives when applied to the stored images
// from scratch.
const server = useTestServer();
const CREATE = 'mutation ($config: String!) { createImage(config: $config) { image { id } } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';
const LIST = `query ($after: String) {
  images(first: 100, after: $after) { edges { node { id base { id } } }
    pageInfo { hasNextPage endCursor } } }`;

// A failing run replays with LINEAGE_FOREST_SEED set to the seed its message prints.
const SEED = Number(process.env.LINEAGE_FOREST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const IMAGES = 500;
const WRITERS = 6;

interface Generated {
  index: number;
  raw: string;
  id: string;
}

/** Runs the writes from a few writers at once, in the order given. */
async function write(ops: { op: 'create' | 'delete'; image: Generated }[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < ops.length) {
        const { op, image } = ops[next++]!;
        const answer =
          op === 'create'
            ? await server.gql(CREATE, { config: image.raw })
            : await server.gql(DELETE, { id: image.id });
        assert.equal(answer.errors, undefined, `seed ${SEED}: ${op} #${image.index}`);
      }
    }),
  );
}

async function storedBases(): Promise<Map<string, string | null>> {
  const bases = new Map<string, string | null>();
  let after: string | null = null;
  for (;;) {
    const { images }: any = await server.data(LIST, { after });
    for (const { node } of images.edges) bases.set(node.id, node.base?.id ?? null);
    if (!images.pageInfo.hasNextPage) return bases;
    after = images.pageInfo.endCursor;
  }
}

async function assertRuleHolds(byId: Map<string, Generated>, phase: string): Promise<void> {
  const actual = await storedBases();
  const expected = lineageOf(
    [...actual.keys()].map((id) => lineageKeyOf(id, parseImageConfig(byId.get(id)!.raw))),
  );
  const index = (id: string | null) => (id === null ? null : byId.get(id)!.index);
  const differ = [...actual]
    .filter(([id, base]) => expected.get(id) !== base)
    .map(
      ([id, base]) =>
        `#${index(id)}: base #${index(base)}, the rule gives #${index(expected.get(id)!)}`,
    );
  assert.deepEqual(differ, [], `seed ${SEED} (LINEAGE_FOREST_SEED), ${phase}`);
}

function shuffle<T>(items: T[], below: (n: number) => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('lineage of a sampled forest', () => {
  it('when it is created out of order, thinned and filled in, then every base is the rule', async () => {
    const random = seededRandom(SEED);
    const forest: Generated[] = [...generateForest({ images: IMAGES, seed: SEED })].map(
      ({ rawConfig }, index) => ({ index, raw: rawConfig, id: digestOf(rawConfig) }),
    );
    const byId = new Map(forest.map((image) => [image.id, image]));
    const shuffled = shuffle([...forest], random.below);
    const first = shuffled.slice(0, Math.floor(IMAGES * 0.6));
    const later = shuffled.slice(first.length);

    await write(first.map((image) => ({ op: 'create', image })));
    await assertRuleHolds(byId, 'after 60% were created in random order');

    // Deletes and creates at once: bases removed while middles and bases arrive.
    const doomed = first.filter(() => random.chance(0.3));
    const ops = [
      ...doomed.map((image) => ({ op: 'delete' as const, image })),
      ...later.map((image) => ({ op: 'create' as const, image })),
    ];
    shuffle(ops, random.below);
    await write(ops);
    await assertRuleHolds(byId, 'after a third was deleted while the rest were created');
    assert.deepEqual(await verifyStore(server.sql), [], `seed ${SEED}`);
  });
});
