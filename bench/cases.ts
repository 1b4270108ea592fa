import type postgres from 'postgres';

/** The images each case runs on, chosen from the seeded forest. */
export interface Targets {
  /** The base whose 5-level subtree is closest to 1,000 images. */
  q1Base: string;
  q1Size: number;
  /** The image at the end of the longest chain. */
  deepest: string;
  /** The base with the most descendants. */
  largestBase: string;
  /** The lineage root whose 5-level derived tree is closest to 1,000 images. */
  q8Root: string;
  q8Size: number;
  /** A fixed sample of image IDs, for lookups by prefix. */
  sample: string[];
  /** A fixed sample of tags, in familiar form, for lookups by name. */
  tags: string[];
}

/** Reads the case targets from the database. */
export async function findTargets(sql: postgres.Sql): Promise<Targets> {
  const [q1] = await sql<{ id: string; size: number }[]>`
    with recursive down (root, id, depth) as (
      select id, id, 0 from images where parent_id is null
      union all
      select down.root, c.id, down.depth + 1
      from down join images c on c.parent_id = down.id
      where down.depth < 5
    )
    select root as id, (count(*) - 1)::int as size
    from down group by root order by abs(count(*) - 1001), root limit 1`;
  const [deep] = await sql<{ id: string }[]>`
    with recursive up (id, start, depth) as (
      select parent_id, id, 1 from images where parent_id is not null
        and not exists (select from images c where c.parent_id = images.id)
      union all
      select i.parent_id, up.start, up.depth + 1
      from up join images i on i.id = up.id
      where i.parent_id is not null
    )
    select start as id from up order by depth desc, start limit 1`;
  const [largest] = await sql<{ id: string }[]>`
    with recursive down (root, id) as (
      select id, id from images where parent_id is null
      union all
      select down.root, c.id from down join images c on c.parent_id = down.id
    )
    select root as id from down group by root order by count(*) desc, root limit 1`;
  const [q8] = await sql<{ id: string; size: number }[]>`
    with recursive down (root, id, depth) as (
      select id, id, 0 from images where base_id is null
      union all
      select down.root, c.id, down.depth + 1
      from down join images c on c.base_id = down.id where down.depth < 5
    )
    select root as id, (count(*) - 1)::int as size from down
    group by root order by abs(count(*) - 1001), root limit 1`;
  const sample = await sql<{ id: string }[]>`select id from images order by md5(id) limit 2000`;
  const tags = await sql<{ familiar: string }[]>`
    select familiar from image_references where tag is not null order by md5(name) limit 2000`;
  return {
    q1Base: q1!.id,
    q1Size: q1!.size,
    deepest: deep!.id,
    largestBase: largest!.id,
    q8Root: q8!.id,
    q8Size: q8!.size,
    sample: sample.map((row) => row.id),
    tags: tags.map((row) => row.familiar),
  };
}

const NODE = 'id shortId parent { id } layers { chainId }';

const NODE_Q8 = 'id shortId layers { chainId }';

/** The GraphQL documents of the read cases. */
export const QUERIES = {
  Q1: `query Q1($id: String!) { image(id: $id) { id
    children { ${NODE} children { ${NODE} children { ${NODE}
      children { ${NODE} children { ${NODE} } } } } } } }`,
  Q2: `query Q2($id: String!) {
    image(id: $id) { id shortId created parent { id shortId } children { id shortId } } }`,
  Q3: `query Q3 { images(first: 100) {
    edges { node { id parent { id } children { id } layers { chainId } } } } }`,
  Q4: 'query Q4($id: String!) { image(id: $id) { id ancestors { id shortId } } }',
  Q5: `query Q5($id: String!) { image(id: $id) {
    descendants(maxDepth: 12, first: 500) {
      edges { depth node { id shortId } } pageInfo { hasNextPage endCursor } } } }`,
  Q6: `query Q6 { images(first: 100, orderBy: CREATED_DESC, filter: { reference: ["*/*:*"] }) {
    edges { node { id shortId created repoTags } } } }`,
  Q7: `query Q7($name: String!) {
    reference(name: $name) { name image { id parent { id } layers { chainId } } } }`,
  C1: '{ images(first: 1) { totalCount edges { node { id } } } }',
  C2: '{ images(first: 1, headsOnly: true) { totalCount edges { node { id isHead } } } }',
  Q8: `query Q8($id: String!) { image(id: $id) { id
    derived { ${NODE_Q8} derived { ${NODE_Q8} derived { ${NODE_Q8} derived { ${NODE_Q8}
    derived { ${NODE_Q8} } } } } } } }`,
} as const;

/** How many distinct images an answer names. */
export function countImages(value: unknown, ids = new Set<string>()): number {
  if (Array.isArray(value)) {
    for (const item of value) countImages(item, ids);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'id' && typeof item === 'string') ids.add(item);
      else countImages(item, ids);
    }
  }
  return ids.size;
}

/**
 * The recursive walk a hand-written client would write: `down (id, depth)`, up to maxDepth
 * below an image.
 */
function walkDown(sql: postgres.Sql, id: string, maxDepth: number, up = 'parent_id') {
  return sql`
    with recursive down (id, depth) as (
      select id, 1 from images where ${sql(up)} = ${id}
      union all
      select c.id, down.depth + 1
      from down join images c on c.${sql(up)} = down.id
      where down.depth < ${maxDepth}
    )`;
}

/** The one statement a hand-written client would send for Q1's rows (Q8's, along base links). */
export function q1Floor(sql: postgres.Sql, id: string, up = 'parent_id') {
  return sql`
    ${walkDown(sql, id, 5, up)}
    select i.id, i.parent_id, down.depth,
      array(
        select r.chain_id from image_layers r where r.image_id = i.id order by r.position
      ) as layers
    from down join images i on i.id = down.id`;
}

/** The one statement a hand-written client would send for Q5's rows. */
export function q5Floor(sql: postgres.Sql, id: string) {
  return sql`${walkDown(sql, id, 12)} select id, depth from down order by depth, id limit 501`;
}
