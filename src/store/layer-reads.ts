import type { Queryable } from './database.js';
import { idRange, onlyMatch } from './id-search.js';
import { groupBy, imageColumns, layerColumns, type ImageRow, type LayerRow } from './rows.js';

/** The layer a full chain ID or a prefix of one names, or null. */
export async function findLayer(sql: Queryable, asked: string): Promise<LayerRow | null> {
  const [low, high] = idRange(asked);
  const rows = await sql<LayerRow[]>`
    select ${layerColumns(sql)} from layers l
    where l.chain_id >= ${low} and l.chain_id < ${high} order by l.chain_id limit 2`;
  return onlyMatch(rows, 'layer', asked);
}

/** The layers with these chain IDs, in no particular order. */
export function layersByChainIds(sql: Queryable, chainIds: readonly string[]): Promise<LayerRow[]> {
  return sql<LayerRow[]>`
    select ${layerColumns(sql)} from layers l where l.chain_id = any(${chainIds as string[]}::text[])`;
}

/** Each image's layer chain, base first. */
export async function layersOf(sql: Queryable, imageIds: readonly string[]): Promise<LayerRow[][]> {
  const rows = await sql<(LayerRow & { imageId: string })[]>`
    select r.image_id as "imageId", ${layerColumns(sql)}
    from image_layers r join layers l on l.chain_id = r.chain_id
    where r.image_id = any(${imageIds as string[]}::text[])
    order by r.image_id, r.position`;
  return groupBy(imageIds, rows, (row) => row.imageId);
}

/** Each layer's images: every image whose chain includes it, ordered by ID. */
export async function imagesWithLayers(sql: Queryable, chainIds: readonly string[]): Promise<ImageRow[][]> {
  const rows = await sql<(ImageRow & { chainId: string })[]>`
    select r.chain_id as "chainId", ${imageColumns(sql)}
    from image_layers r join images i on i.id = r.image_id
    where r.chain_id = any(${chainIds as string[]}::text[])
    order by i.id`;
  return groupBy(chainIds, rows, (row) => row.chainId);
}
