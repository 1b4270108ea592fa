import { InvalidReferenceError, NotFoundError } from '../domain/errors.js';
import {
  familiarRepository,
  familiarString,
  type Reference,
  referenceString,
  repositoryName,
  withDefaultTag,
} from '../domain/reference.js';
import { recordEvents } from './event-log.js';
import { resolveImage } from './image-lookup.js';
import { type Queryable, RowVanished, type Sql, transaction } from './pool.js';
import { type ReferenceRow, referenceColumns } from './reference-reads.js';
import { type ImageRow, imageColumns } from './rows.js';

/**
 * What a tag did: the reference, the image it now names, and the image it named before, if another.
 */
export interface Tagged {
  reference: ReferenceRow;
  image: ImageRow;
  previousImageId: string | null;
}

/**
 * Docker's tag: points a reference at the image an ID, a prefix or another
 * reference names. A reference that named another image moves, as
 * `docker tag` moves it; a digested reference records a repo digest.
 */
export function tagImage(sql: Sql, askedImage: string, parsed: Reference): Promise<Tagged> {
  const row = referenceRow(parsed);
  const { name } = row;
  return transaction(sql, async (tx) => {
    const id = await resolveImage(tx, askedImage);
    // Updating the image's row locks it: a delete of it waits for this
    // transaction, or this one finds it gone.
    const [image] = await tx<ImageRow[]>`
      update images i set last_tag_time = now() where i.id = ${id} returning ${imageColumns(tx)}`;
    if (!image) throw new RowVanished();
    const [inserted] = await tx<ReferenceRow[]>`
      insert into image_references as r
        (name, repository, tag, digest, familiar, familiar_repository, image_id)
      values (${row.name}, ${row.repository}, ${row.tag}, ${row.digest}, ${row.familiar},
        ${row.familiar_repository}, ${id})
      on conflict (name) do nothing
      returning ${referenceColumns(tx)}`;
    if (inserted) {
      await recordEvents(tx, [{ type: 'TAG', imageId: id, reference: row.familiar }]);
      return { reference: inserted, image, previousImageId: null };
    }
    // The name is taken: lock it, so that of two moves one waits for the other
    // and each says truly where it moved the name from.
    const [current] = await tx<{ imageId: string }[]>`
      select image_id as "imageId" from image_references where name = ${name} for update`;
    if (!current) throw new RowVanished();
    const [reference] = await tx<ReferenceRow[]>`
      update image_references r
      set image_id = ${id},
        created_at = case when r.image_id = ${id} then r.created_at else now() end
      where r.name = ${name}
      returning ${referenceColumns(tx)}`;
    const previousImageId = current.imageId === id ? null : current.imageId;
    // A name moved is an untag of the image it named, then a tag.
    if (previousImageId !== null) {
      await recordEvents(tx, [
        { type: 'UNTAG', imageId: previousImageId, reference: row.familiar },
        { type: 'TAG', imageId: id, reference: row.familiar },
      ]);
    }
    return { reference: reference!, image, previousImageId };
  });
}

/** An image's full ID and a reference to point at it. */
export interface NewTag {
  imageId: string;
  reference: Reference;
}

/**
 * Many tags in one transaction and one insert, for bulk loads: each reference
 * is set to its image, moving it if it named another; of a name given twice,
 * the last one holds.
 */
export async function tagImages(sql: Sql, tags: readonly NewTag[]): Promise<void> {
  await transaction(sql, (tx) => insertTags(tx, tags));
}

/** tagImages inside a transaction the caller holds. */
export async function insertTags(tx: Queryable, tags: readonly NewTag[]): Promise<void> {
  if (tags.length === 0) return;
  const byName = new Map(
    tags.map(({ imageId, reference }) => {
      const row = referenceRow(reference);
      return [row.name, { ...row, image_id: imageId }] as const;
    }),
  );
  const rows = [...byName.values()];
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
  const imageIds = [...new Set(column('image_id'))].sort();
  // Image rows first, in one order, as a single tag locks them.
  await tx`update images set last_tag_time = now() where id = any(${imageIds}::text[])`;
  // Locked in name order, as the insert below takes them: where each name
  // pointed before, for the UNTAG of a name that moves.
  const before = await tx<{ name: string; imageId: string }[]>`
    select name, image_id as "imageId" from image_references
    where name = any(${column('name')}::text[]) order by name for update`;
  const changed = await tx<{ name: string; familiar: string; imageId: string; moved: boolean }[]>`
      insert into image_references
        (name, repository, tag, digest, familiar, familiar_repository, image_id)
      select * from unnest(
        ${column('name')}::text[], ${column('repository')}::text[], ${column('tag')}::text[],
        ${column('digest')}::text[], ${column('familiar')}::text[],
        ${column('familiar_repository')}::text[], ${column('image_id')}::text[])
      order by 1
      on conflict (name) do update set image_id = excluded.image_id, created_at = now()
      where image_references.image_id <> excluded.image_id
      returning name, familiar, image_id as "imageId", xmax <> 0 as moved`;
  const previous = new Map(before.map((row) => [row.name, row.imageId]));
  // A name another transaction set after the read above: where it pointed
  // is unknown, so run again and read it.
  if (changed.some((row) => row.moved && !previous.has(row.name))) throw new RowVanished();
  await recordEvents(
    tx,
    changed
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap(({ name, familiar, imageId }) => {
        const tag = { type: 'TAG' as const, imageId, reference: familiar };
        const from = previous.get(name);
        return from === undefined
          ? [tag]
          : [{ ...tag, type: 'UNTAG' as const, imageId: from }, tag];
      }),
  );
}

/** The stored form of a reference to tag with: `:latest` when it names no tag or digest. */
function referenceRow(parsed: Reference) {
  const reference = withDefaultTag(parsed);
  if (reference.tag !== null && reference.digest !== null) {
    throw new InvalidReferenceError(
      `invalid reference "${familiarString(reference)}": tag it by tag or by digest, not both`,
    );
  }
  if (familiarRepository(reference) === 'sha256') {
    throw new InvalidReferenceError(
      'invalid reference: "sha256" as a name would be read as an image ID',
    );
  }
  return {
    name: referenceString(reference),
    repository: repositoryName(reference),
    tag: reference.tag,
    digest: reference.digest,
    familiar: familiarString(reference),
    familiar_repository: familiarRepository(reference),
  };
}

/** Docker's untag: removes a reference; the image stays. */
export function untagImage(
  sql: Sql,
  asked: string,
  parsed: Reference,
): Promise<{ reference: string; image: ImageRow }> {
  const name = referenceString(withDefaultTag(parsed));
  return transaction(sql, async (tx) => {
    const [removed] = await tx<{ familiar: string; imageId: string }[]>`
      delete from image_references where name = ${name}
      returning familiar, image_id as "imageId"`;
    if (!removed) throw new NotFoundError('image', asked);
    await recordEvents(tx, [
      { type: 'UNTAG', imageId: removed.imageId, reference: removed.familiar },
    ]);
    // The foreign key kept the image while its reference was there.
    const [image] = await tx<ImageRow[]>`
      select ${imageColumns(tx)} from images i where i.id = ${removed.imageId}`;
    return { reference: removed.familiar, image: image! };
  });
}
