import { parseImageConfig } from '../../domain/image-config.js';
import { parseReference } from '../../domain/reference.js';
import { type GraphqlRequest, RequestFailed } from '../graphql-client.js';
import type { Found, FoundImage, Skipped } from './found-image.js';

/** What an import did, for its summary line. */
export interface ImportTally {
  /** Images sent (or, in a dry run, checked and ready to send). */
  sent: number;
  created: number;
  existing: number;
  skipped: Skipped[];
  references: number;
  parents: number;
}

/** Where the writer reports progress: after each call, with the tally so far. */
export type OnProgress = (tally: ImportTally) => void;

const IMPORT = `mutation ($images: [ImageImport!]!) {
  importImages(images: $images) { created existing }
}`;
// A call takes at most 1,000 images, and its body must stay under the
// server's limit (4 MiB unless configured): configs run to a few KB each.
const CALL_IMAGES = 1000;
const CALL_BYTES = 3 * 1024 * 1024;

/**
 * Writes what a reader found through the server's importImages, a call per
 * batch, each atomic. Entries the reader or the server cannot take are
 * skipped and listed, with the images built on them; the rest go in.
 * With `dryRun`, checks everything and writes nothing.
 */
export async function writeFound(
  found: AsyncIterable<Found>,
  request: GraphqlRequest,
  { dryRun = false, onProgress = () => {} }: { dryRun?: boolean; onProgress?: OnProgress } = {},
): Promise<ImportTally> {
  const tally: ImportTally = {
    sent: 0,
    created: 0,
    existing: 0,
    skipped: [],
    references: 0,
    parents: 0,
  };
  // IDs left out, so that images built on them are left out too.
  const left = new Set<string>();
  let batch: FoundImage[] = [];
  let bytes = 0;
  const skip = (image: FoundImage, reason: string) => {
    left.add(image.id);
    tally.skipped.push({ source: image.source, reason });
  };
  const flush = async () => {
    const sent = await sendBatch(batch, request, dryRun, skip, left);
    tally.created += sent.created;
    tally.existing += sent.existing;
    tally.sent += sent.images.length;
    for (const image of sent.images) {
      tally.references += image.references.length;
      if (image.parent) tally.parents++;
    }
    batch = [];
    bytes = 0;
    onProgress(tally);
  };
  for await (const entry of found) {
    if ('skipped' in entry) {
      tally.skipped.push(entry.skipped);
      if (entry.skipped.id !== undefined) left.add(entry.skipped.id);
      continue;
    }
    const image = checked(entry.image, tally.skipped);
    if (image === null) {
      left.add(entry.image.id);
      continue;
    }
    if (image.parent !== undefined && left.has(image.parent)) {
      skip(image, `its parent ${image.parent} was skipped`);
      continue;
    }
    const size = Buffer.byteLength(image.config) + 200;
    if (batch.length === CALL_IMAGES || (batch.length > 0 && bytes + size > CALL_BYTES)) {
      await flush();
    }
    batch.push(image);
    bytes += size;
  }
  if (batch.length > 0) await flush();
  return tally;
}

/**
 * An image whose config and names the server will take, or null (listed as
 * skipped); a bad name alone is dropped and listed, the image still goes in.
 */
function checked(image: FoundImage, skipped: Skipped[]): FoundImage | null {
  try {
    parseImageConfig(image.config);
  } catch (error) {
    skipped.push({ source: image.source, reason: (error as Error).message });
    return null;
  }
  const references = image.references.filter((name) => {
    try {
      parseReference(name);
      return true;
    } catch (error) {
      skipped.push({ source: image.source, reason: `name "${name}": ${(error as Error).message}` });
      return false;
    }
  });
  return { ...image, references };
}

/**
 * One call; when the server names a parent it does not hold, the images
 * built on it (and on those) are skipped and the rest sent again.
 */
async function sendBatch(
  batch: FoundImage[],
  request: GraphqlRequest,
  dryRun: boolean,
  skip: (image: FoundImage, reason: string) => void,
  left: Set<string>,
): Promise<{ created: number; existing: number; images: FoundImage[] }> {
  let images = batch;
  for (;;) {
    images = images.filter((image) => {
      if (image.parent === undefined || !left.has(image.parent)) return true;
      skip(image, `its parent ${image.parent} was skipped`);
      return false;
    });
    if (images.length === 0) return { created: 0, existing: 0, images };
    if (dryRun) return { created: 0, existing: 0, images };
    try {
      const { data } = await request<{ importImages: { created: number; existing: number } }>(
        IMPORT,
        {
          images: images.map((image) => ({
            config: image.config,
            parent: image.parent ?? null,
            references: image.references,
          })),
        },
      );
      return { ...data.importImages, images };
    } catch (error) {
      const missing = missingParent(error);
      if (missing === null) throw error;
      for (const image of images) {
        if (image.parent === missing) {
          skip(image, `its parent ${missing} is neither in the input nor in the store`);
        }
      }
      left.add(missing);
    }
  }
}

/** The image ID a NOT_FOUND answer names, when a parent was missing. */
function missingParent(error: unknown): string | null {
  if (!(error instanceof RequestFailed)) return null;
  const [first] = error.errors;
  if (first?.code !== 'NOT_FOUND') return null;
  return /No such image: (sha256:[0-9a-f]{64})/.exec(first.message)?.[1] ?? null;
}
