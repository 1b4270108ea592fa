import { parseArgs } from 'node:util';
import { runCommand } from '../src/cli/command.js';
import { digestOf } from '../src/domain/digest.js';
import { parseReference } from '../src/domain/reference.js';
import { createImageStore, type ImageStore, type NewTag } from '../src/store/image-store.js';
import { type ForestOptions, generateForest } from './forest.js';
import { generateNames } from './names.js';

const BATCH = 1000;

/**
 * Writes a generated forest through the store's own batch create, which
 * validates and content-addresses every config. Returns images per second.
 */
export async function seed(
  store: ImageStore,
  options: ForestOptions,
  log = console.log,
): Promise<number> {
  const ids: string[] = [];
  const started = performance.now();
  let batch: { rawConfig: string; parentId: string | null }[] = [];
  const flush = async () => {
    const created = await store.createMany(batch);
    ids.push(...created.map((result) => result.image.id));
    batch = [];
    if (ids.length % (BATCH * 10) === 0) log(`  ${ids.length} images`);
  };
  for (const image of generateForest(options)) {
    // Parents come earlier in the forest, so their IDs are known by now or in this batch.
    const parentId =
      image.parent === null
        ? null
        : (ids[image.parent] ?? pendingId(batch, ids.length, image.parent));
    batch.push({ rawConfig: image.rawConfig, parentId });
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  const rate = ids.length / ((performance.now() - started) / 1000);
  await seedNames(store, ids, options.seed);
  return rate;
}

/** Tags the seeded images (by their index in the forest) with the generated names. */
export async function seedNames(
  store: ImageStore,
  ids: readonly string[],
  seed: number,
): Promise<void> {
  let batch: NewTag[] = [];
  for (const tag of generateNames(ids.length, seed)) {
    batch.push({ imageId: ids[tag.image]!, reference: parseReference(tag.reference) });
    if (batch.length === BATCH * 5) {
      await store.tagMany(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.tagMany(batch);
}

/** The ID of an image still waiting in the current batch. */
function pendingId(batch: { rawConfig: string }[], flushed: number, index: number): string {
  return digestOf(batch[index - flushed]!.rawConfig);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
    },
  });
  await runCommand(
    async ({ database }) => {
      console.log(
        `seeding ${values.images} images (seed ${values.seed}) into ${database.description}`,
      );
      const options = { images: Number(values.images), seed: Number(values.seed) };
      const rate = await seed(createImageStore(database.sql), options);
      console.log(`seeded: ${Math.round(rate)} images/s`);
      return 0;
    },
    { migrated: true },
  );
}
