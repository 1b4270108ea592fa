import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  asObject,
  type Found,
  type ImageSource,
  MissingEntry,
  parentsFirst,
  readImage,
  readStoreDocument,
  type StoreFiles,
  skipped,
  UnreadableImageStore,
} from './found-image.js';

const CONTENT = 'imagedb/content/sha256';
const METADATA = 'imagedb/metadata/sha256';
const HEX = /^[0-9a-f]{64}$/;

/**
 * Opens a Docker host's image directory (files.root: /var/lib/docker/image/<driver>/) as moby's
 * image store keeps it: each config's bytes at imagedb/content/sha256/<hex>, its parent's ID in
 * imagedb/metadata/sha256/<hex>/parent, and the names in repositories.json. The names and the
 * list of configs are read now, so a directory that cannot be read fails before any image.
 */
export async function openDockerRoot(files: StoreFiles): Promise<ImageSource> {
  const names = await readNames(files);
  const entries = await readdir(join(files.root, CONTENT)).catch((error: Error) => {
    throw new UnreadableImageStore(`${files.root}: ${CONTENT} cannot be listed (${error.message})`);
  });
  return {
    format: 'docker-root',
    description: 'Docker image directory (imagedb/ and repositories.json)',
    count: entries.length,
    images: () => readImages(files, entries.sort(), names),
  };
}

/** repositories.json turned around: each image ID with its names, as written there. */
async function readNames(files: StoreFiles): Promise<Map<string, string[]>> {
  const { Repositories } = asObject(await readStoreDocument(files, 'repositories.json'));
  if (typeof Repositories !== 'object' || Repositories === null) {
    throw new UnreadableImageStore(`${files.root}: repositories.json has no Repositories object`);
  }
  const names = new Map<string, string[]>();
  for (const repository of Object.values(Repositories)) {
    for (const [name, id] of Object.entries(asObject(repository))) {
      names.set(String(id), [...(names.get(String(id)) ?? []), name]);
    }
  }
  return names;
}

async function* readImages(
  files: StoreFiles,
  entries: string[],
  names: Map<string, string[]>,
): AsyncGenerator<Found> {
  const records: { id: string; parent?: string }[] = [];
  for (const entry of entries) {
    if (HEX.test(entry))
      records.push({ id: `sha256:${entry}`, parent: await readParent(files, entry) });
    else yield skipped(`${CONTENT}/${entry}`, 'not named by a sha256 digest');
  }
  const held = new Set(records.map((record) => record.id));
  for (const [id, references] of names) {
    for (const name of held.has(id) ? [] : references) {
      yield skipped('repositories.json', `"${name}" names ${id}, which ${CONTENT} does not hold`);
    }
  }
  // Only the parent links are read up front: each config is read as its turn comes.
  for (const { id, parent } of parentsFirst(records)) {
    const path = `${CONTENT}/${id.slice('sha256:'.length)}`;
    yield await readImage(files, path, id, { parent, references: names.get(id) ?? [] });
  }
}

/** The parent moby's image store recorded for an image, if any. */
async function readParent(files: StoreFiles, hex: string): Promise<string | undefined> {
  try {
    return (await files.read(`${METADATA}/${hex}/parent`)).toString('utf8').trim() || undefined;
  } catch (error) {
    if (error instanceof MissingEntry) return undefined;
    throw error;
  }
}
