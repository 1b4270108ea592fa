import { chainIds } from '../domain/chain-id.js';
import { digestOf } from '../domain/digest.js';
import { CycleError, NotFoundError } from '../domain/errors.js';
import { parseImageConfig } from '../domain/image-config.js';
import { transaction, type Queryable, type Sql } from './database.js';
import { resolveId } from './id-search.js';
import { imageColumns, type ImageRow, type LayerRow } from './rows.js';

// Parent changes take this lock so that two of them cannot each pass the
// cycle check against a tree the other is about to change.
const TREE_LOCK = 7_210_002;

/** Docker's Create: validates, content-addresses and stores a config with its layer chain. */
export async function createImage(sql: Sql, rawConfig: string): Promise<{ image: ImageRow; created: boolean }> {
  const config = parseImageConfig(rawConfig);
  const id = digestOf(rawConfig);
  const chain = chainIds(config.diffIds);
  return transaction(sql, async (tx) => {
    const inserted = await tx`
      insert into images (id, raw_config, created, architecture, os, author, comment)
      values (${id}, ${rawConfig}, ${config.created}, ${config.architecture}, ${config.os},
              ${config.author}, ${config.comment})
      on conflict (id) do nothing
      returning id`;
    const created = inserted.length === 1;
    if (created && chain.length > 0) {
      const parents = [null, ...chain.slice(0, -1)];
      await tx`
        insert into layers (chain_id, diff_id, parent_chain_id)
        select * from unnest(${chain}::text[], ${config.diffIds}::text[], ${parents}::text[])
        on conflict (chain_id) do nothing`;
      await tx`
        insert into image_layers (image_id, position, chain_id)
        select ${id}, ord - 1, chain_id from unnest(${chain}::text[]) with ordinality as t(chain_id, ord)`;
    }
    return { image: await imageRow(tx, id), created };
  });
}

/**
 * Docker's Delete: removes an image and releases the layers no other image
 * references, top layer first. Its children are kept, without a parent.
 */
export async function deleteImage(sql: Sql, asked: string): Promise<{ id: string; releasedLayers: LayerRow[] }> {
  return transaction(sql, async (tx) => {
    const id = await resolveId(tx, 'image', asked);
    const refs = await tx<{ chainId: string }[]>`
      select chain_id as "chainId" from image_layers where image_id = ${id} order by position desc`;
    const deleted = await tx`delete from images where id = ${id} returning id`;
    // Another delete of the same image got there first.
    if (deleted.length === 0) throw new NotFoundError('image', asked);
    const chain = refs.map((ref) => ref.chainId);
    const released = await tx<LayerRow[]>`
      delete from layers l
      where l.chain_id = any(${chain}::text[])
        and not exists (select from image_layers r where r.chain_id = l.chain_id)
      returning l.chain_id as "chainId", l.diff_id as "diffId", l.parent_chain_id as "parentChainId"`;
    const byChainId = new Map(released.map((layer) => [layer.chainId, layer]));
    return { id, releasedLayers: chain.flatMap((chainId) => byChainId.get(chainId) ?? []) };
  });
}

/** Docker's SetParent: links an image under a parent, or unlinks it with null. */
export async function setParent(sql: Sql, asked: string, askedParent: string | null): Promise<ImageRow> {
  return transaction(sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(${TREE_LOCK})`;
    const id = await resolveId(tx, 'image', asked);
    const parent = askedParent === null ? null : await resolveId(tx, 'image', askedParent);
    if (parent !== null && (await isAncestorOrSelf(tx, id, parent))) throw new CycleError(id, parent);
    await tx`update images set parent_id = ${parent} where id = ${id}`;
    return imageRow(tx, id);
  });
}

async function isAncestorOrSelf(sql: Queryable, ancestor: string, id: string): Promise<boolean> {
  const [row] = await sql<{ found: boolean }[]>`
    with recursive up (id, parent_id) as (
      select id, parent_id from images where id = ${id}
      union
      select i.id, i.parent_id from images i join up on i.id = up.parent_id
    )
    select exists (select from up where id = ${ancestor}) as found`;
  return row!.found;
}

async function imageRow(sql: Queryable, id: string): Promise<ImageRow> {
  const [row] = await sql<ImageRow[]>`select ${imageColumns(sql)} from images i where i.id = ${id}`;
  return row!;
}
