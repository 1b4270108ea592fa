import { isDigest } from '../domain/digest.js';
import { BadInputError, InvalidIdError, NotFoundError } from '../domain/errors.js';
import { checkParentLinks } from '../domain/parent-links.js';
import type { Reference } from '../domain/reference.js';
import { insertImages, validate } from './image-writes.js';
import { type Sql, transaction } from './pool.js';
import { insertTags } from './reference-writes.js';
import type { ImageRow } from './rows.js';

/** One image of a bulk import: its config, its parent's full ID, and names for it. */
export interface ImportImage {
  rawConfig: string;
  parentId: string | null;
  references: readonly Reference[];
}

/** What an import did: how many images were new, how many already stored, and each image. */
export interface Imported {
  created: number;
  existing: number;
  images: ImageRow[];
}

/** The most images one import call takes: one transaction, one insert. */
export const IMPORT_BATCH_LIMIT = 1000;

/**
 * Stores a batch of images with their parents and names in one transaction.
 * A parent is the full ID of an image of the same batch, in any order, or of
 * one already stored. An image already stored keeps its parent; its names
 * are set all the same. All of it is written, or none.
 */
export async function importImages(sql: Sql, batch: readonly ImportImage[]): Promise<Imported> {
  if (batch.length > IMPORT_BATCH_LIMIT) {
    throw new BadInputError(
      `an import takes at most ${IMPORT_BATCH_LIMIT} images a call, not ${batch.length}`,
    );
  }
  const images = batch.map((image) => validate(image));
  for (const { parentId } of images) {
    if (parentId !== null && !isDigest(parentId)) {
      throw new InvalidIdError(`invalid parent "${parentId}": an import names parents by full ID`);
    }
  }
  // An image can name itself only once stored, when a parent no longer applies.
  const links = images.map(({ id, parentId }) => ({
    id,
    parentId: parentId === id ? null : parentId,
  }));
  checkParentLinks(links);
  const inBatch = new Set(links.map((link) => link.id));
  const outside = [...new Set(links.flatMap((link) => link.parentId ?? []))].filter(
    (id) => !inBatch.has(id),
  );
  return transaction(sql, async (tx) => {
    // Key-share locks, as the foreign key would take: a stored parent cannot go before commit.
    const stored = await tx<{ id: string }[]>`
      select id from images where id = any(${outside}::text[]) order by id for key share`;
    const found = new Set(stored.map((row) => row.id));
    const missing = outside.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError('image', missing);
    // One statement: the foreign key on parents is checked at its end, so
    // parents within the batch may come in any order.
    const created = await insertImages(
      tx,
      images.map((image, i) => ({ ...image, parentId: links[i]!.parentId })),
      'IMPORT',
    );
    await insertTags(
      tx,
      batch.flatMap((image, i) =>
        image.references.map((reference) => ({ imageId: images[i]!.id, reference })),
      ),
    );
    const fresh = created.filter((result) => result.created).length;
    return {
      created: fresh,
      existing: created.length - fresh,
      images: created.map((c) => c.image),
    };
  });
}
