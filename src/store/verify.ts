import { chainIds } from '../domain/chain-id.js';
import { digestOf } from '../domain/digest.js';
import { parseImageConfig } from '../domain/image-config.js';
import { historyChain } from '../domain/lineage.js';
import {
  familiarString,
  parseReference,
  type Reference,
  referenceString,
  repositoryName,
} from '../domain/reference.js';
import { DEFAULT_MAX_TREE_DEPTH } from './image-store.js';
import type { Queryable } from './pool.js';
import { type ReferenceRow, referenceColumns } from './reference-reads.js';

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
  const cursor = sql<
    {
      id: string;
      rawConfig: string;
      chain: string[];
      labels: unknown;
      historyChain: string[] | null;
      chainTop: string | null;
      chainLength: number;
    }[]
  >`
    select i.id, i.raw_config as "rawConfig", i.labels, i.history_chain as "historyChain",
      i.chain_top as "chainTop", i.chain_length as "chainLength",
      array(select r.chain_id from image_layers r where r.image_id = i.id order by r.position)
        as chain
    from images i`.cursor(BATCH);
  for await (const rows of cursor) {
    for (const { id, rawConfig, chain, labels, ...lineage } of rows) {
      if (digestOf(rawConfig) !== id)
        problems.push(`image ${id}: its config hashes to ${digestOf(rawConfig)}`);
      try {
        const config = parseImageConfig(rawConfig);
        const expected = chainIds(config.diffIds);
        if (expected.join() !== chain.join()) {
          problems.push(
            `image ${id}: references ${chain.length} layers, its config has ` +
              `${expected.length} (or other ones)`,
          );
        }
        if (!sameLabels(labels, config.labels))
          problems.push(`image ${id}: its label index differs from its config`);
        const history = historyChain(config.history);
        const kept =
          lineage.chainTop === (expected.at(-1) ?? null) && lineage.chainLength === expected.length;
        if (!kept || lineage.historyChain?.join() !== history.join()) {
          problems.push(`image ${id}: its lineage keys differ from its config`);
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
    problems.push(
      `image ${imageId}: layer ${chainId} does not sit on the layer below it in the chain`,
    );
  }
  // Lineage recomputed from scratch, image by image, by the rule's SQL form.
  for (const { id, baseId, expected } of await sql<
    { id: string; baseId: string | null; expected: string | null }[]
  >`
    select id, base_id as "baseId", expected from (
      select i.id, i.base_id, b.base_id as expected
      from images i left join lateral lineage_base(i.id) b on true
    ) lineage where base_id is distinct from expected`) {
    problems.push(`image ${id}: its base is ${baseId}, the lineage rule gives ${expected}`);
  }
  for (const { id, kept, actual } of await sql<{ id: string; kept: number; actual: number }[]>`
    select i.id, i.child_count as kept, count(c.id)::int as actual
    from images i left join images c on c.parent_id = i.id
    group by i.id having i.child_count <> count(c.id)`) {
    problems.push(`image ${id}: its child count is ${kept}, it has ${actual} children`);
  }
  const [counts] = await sql<
    { images: number; heads: number; actualImages: number; actualHeads: number }[]
  >`
    select (select sum(images)::int from image_counts) as images,
      (select sum(heads)::int from image_counts) as heads,
      (select count(*)::int from images) as "actualImages",
      (select count(*)::int from images i
       where not exists (select from images c where c.parent_id = i.id)) as "actualHeads"`;
  if (counts!.images !== counts!.actualImages || counts!.heads !== counts!.actualHeads) {
    problems.push(
      `image counts: kept ${counts!.images} images and ${counts!.heads} heads, ` +
        `the store holds ${counts!.actualImages} and ${counts!.actualHeads}`,
    );
  }
  for (const row of await sql<ReferenceRow[]>`
    select ${referenceColumns(sql)} from image_references r`) {
    const problem = referenceProblem(row);
    if (problem) problems.push(`reference ${row.name}: ${problem}`);
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

/** What is wrong with a stored reference: it must be its own normalized form, split right. */
function referenceProblem(row: ReferenceRow): string | null {
  let parsed: Reference;
  try {
    parsed = parseReference(row.name);
  } catch (error) {
    return `not a valid reference (${(error as Error).message})`;
  }
  const fields = {
    name: referenceString(parsed),
    repository: repositoryName(parsed),
    familiar: familiarString(parsed),
  };
  for (const [field, value] of Object.entries(fields)) {
    if (row[field as keyof typeof fields] !== value) return `its ${field} should be ${value}`;
  }
  if ((parsed.tag === null) === (parsed.digest === null))
    return 'it needs a tag or a digest, not both';
  return row.tag === parsed.tag && row.digest === parsed.digest
    ? null
    : 'its tag or digest differs from its name';
}

/** Whether a stored label index (jsonb, key order free) holds the config's labels. */
function sameLabels(stored: unknown, labels: Record<string, string> | null): boolean {
  const sorted = (value: unknown) =>
    value === null || value === undefined
      ? 'null'
      : JSON.stringify(Object.entries(value as object).sort());
  return sorted(stored) === sorted(labels);
}
