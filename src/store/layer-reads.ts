import { idRange, onlyMatch } from './id-search.js';
import type { Queryable } from './pool.js';
import { groupBy, type ImageRow, imageColumns, type LayerRow, layerColumns } from './rows.js';

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
    select ${layerColumns(sql)} from layers l
    where l.chain_id = any(${chainIds as string[]}::text[])`;
}

/**
 * Each image's layer chain, base first; null for an image that is not stored (deleted meanwhile).
 */
export async function layersOf(
  sql: Queryable,
  imageIds: readonly string[],
): Promise<(LayerRow[] | null)[]> {
  const rows = await sql<{ imageId: string; chainId: string | null; diffId: string | null }[]>`
    select i.id as "imageId", r.chain_id as "chainId", r.diff_id as "diffId"
    from images i left join image_layers r on r.image_id = i.id
    where i.id = any(${imageIds as string[]}::text[])
    order by i.id, r.position`;
  return groupBy(imageIds, rows, (row) => row.imageId).map((chain) => {
    if (chain.length === 0) return null;
    const refs = chain.filter((row) => row.chainId !== null);
    return layerChain(
      refs.map((row) => row.chainId!),
      refs.map((row) => row.diffId!),
    );
  });
}

/**
 * Layer rows from an image's chain IDs and diff IDs, base first: each layer's parent is the one
 * below.
 */
export function layerChain(chainIds: readonly string[], diffIds: readonly string[]): LayerRow[] {
  return chainIds.map((chainId, i) => ({
    chainId,
    diffId: diffIds[i]!,
    parentChainId: chainIds[i - 1] ?? null,
    depth: i + 1,
  }));
}

/** Each layer's images: every image whose chain includes it, ordered by ID. */
export async function imagesWithLayers(
  sql: Queryable,
  chainIds: readonly string[],
): Promise<ImageRow[][]> {
  const rows = await sql<(ImageRow & { chainId: string })[]>`
    select r.chain_id as "chainId", ${imageColumns(sql)}
    from image_layers r join images i on i.id = r.image_id
    where r.chain_id = any(${chainIds as string[]}::text[])
    order by i.id`;
  return groupBy(chainIds, rows, (row) => row.chainId);
}

/** How many images hold each layer in their chain: a count per layer, by its index. */
export async function imageCounts(sql: Queryable, chainIds: readonly string[]): Promise<number[]> {
  const rows = await sql<{ chainId: string; count: number }[]>`
    select r.chain_id as "chainId", count(*)::int as count from image_layers r
    where r.chain_id = any(${chainIds as string[]}::text[])
    group by r.chain_id`;
  const counts = new Map(rows.map((row) => [row.chainId, row.count]));
  return chainIds.map((chainId) => counts.get(chainId) ?? 0);
}

/** Each layer's children: the layers whose parent it is, ordered by chain ID. */
export async function layerChildren(
  sql: Queryable,
  chainIds: readonly string[],
): Promise<LayerRow[][]> {
  const rows = await sql<LayerRow[]>`
    select ${layerColumns(sql)} from layers l
    where l.parent_chain_id = any(${chainIds as string[]}::text[])
    order by l.chain_id`;
  return groupBy(chainIds, rows, (row) => row.parentChainId!);
}
