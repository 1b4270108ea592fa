import { chainIds } from '../domain/chain-id.js';
import { digestOf } from '../domain/digest.js';
import { parseImageConfig } from '../domain/image-config.js';
import { DEFAULT_MAX_TREE_DEPTH } from './image-store.js';
import type { Queryable } from './pool.js';

const BATCH = 500;

/**
 * Checks everything the store promises: each config hashes to its ID and is
 * still valid, each image references exactly its chain, each layer is
 * referenced and sits on the right parent, and parent links end at a root
 * within `maxTreeDepth` links (unless told, the server's default cap).
 * Returns one line per problem; none means the store is whole.
 */
export async function verifyStore(
  sql: Queryable,
  maxTreeDepth: number = DEFAULT_MAX_TREE_DEPTH,
): Promise<string[]> {
  const problems: string[] = [];
  const cursor = sql<{ id: string; rawConfig: string; chain: string[] }[]>`
    select i.id, i.raw_config as "rawConfig",
      array(select r.chain_id from image_layers r where r.image_id = i.id order by r.position) as chain
    from images i`.cursor(BATCH);
  for await (const rows of cursor) {
    for (const { id, rawConfig, chain } of rows) {
      if (digestOf(rawConfig) !== id) problems.push(`image ${id}: its config hashes to ${digestOf(rawConfig)}`);
      try {
        const expected = chainIds(parseImageConfig(rawConfig).diffIds);
        if (expected.join() !== chain.join()) {
          problems.push(`image ${id}: references ${chain.length} layers, its config has ${expected.length} (or other ones)`);
        }
      } catch (error) {
        problems.push(`image ${id}: stored config is not valid: ${(error as Error).message}`);
      }
    }
  }
  for (const { chainId } of await sql<{ chainId: string }[]>`
    select l.chain_id as "chainId" from layers l
    where not exists (select from image_layers r where r.chain_id = l.chain_id)`) {
    problems.push(`layer ${chainId}: no image references it (leaked)`);
  }
  for (const { imageId, chainId } of await sql<{ imageId: string; chainId: string }[]>`
    select r.image_id as "imageId", r.chain_id as "chainId"
    from image_layers r join layers l on l.chain_id = r.chain_id
    left join image_layers below on below.image_id = r.image_id and below.position = r.position - 1
    where l.parent_chain_id is distinct from below.chain_id or l.diff_id <> r.diff_id`) {
    problems.push(`image ${imageId}: layer ${chainId} does not sit on the layer below it in the chain`);
  }
  for (const { id } of await sql<{ id: string }[]>`
    with recursive up (start, id, depth) as (
      select id, parent_id, 1 from images where parent_id is not null
      union all
      select up.start, i.parent_id, up.depth + 1 from up join images i on i.id = up.id
      where i.parent_id is not null and up.depth <= ${maxTreeDepth}
    )
    select distinct start as id from up where depth > ${maxTreeDepth}`) {
    problems.push(`image ${id}: its parent chain is longer than ${maxTreeDepth} or a cycle`);
  }
  return problems;
}
