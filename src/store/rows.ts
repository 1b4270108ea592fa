import type { PendingQuery, Row } from 'postgres';
import type { Queryable } from './pool.js';

type Fragment = PendingQuery<Row[]>;

const built = new WeakMap<Queryable, Map<string, Fragment>>();

/**
 * A fragment without parameters, built once for each pool or transaction and
 * then reused: postgres.js makes every fragment a Promise with closures of its
 * own, which on the small reads was a tenth of the server's time.
 */
export function fixed(sql: Queryable, key: string, build: () => Fragment): Fragment {
  let fragments = built.get(sql);
  if (!fragments) {
    fragments = new Map();
    built.set(sql, fragments);
  }
  let fragment = fragments.get(key);
  if (!fragment) {
    fragment = build();
    fragments.set(key, fragment);
  }
  return fragment;
}

/** An image as lists and trees show it: everything but the config text. */
export interface ImageRow {
  id: string;
  parentId: string | null;
  /** The image this one was built on, by the lineage rule; null for a lineage root. */
  baseId: string | null;
  created: Date | null;
  architecture: string | null;
  os: string | null;
  author: string | null;
  comment: string | null;
  /** When the image was last tagged; null when never. */
  lastTagTime: Date | null;
  isHead: boolean;
}

/** One layer of the layer store, named by its chain ID. */
export interface LayerRow {
  chainId: string;
  diffId: string;
  parentChainId: string | null;
  /** How many layers the chain holds up to this one: 1 for a base layer. */
  depth: number;
}

/**
 * The select list of an ImageRow from `images i`. Whether an image is a head
 * is read from its own row: the store keeps each image's count of children
 * (migration 00009), where an anti-join against every image could turn into
 * a hashed subplan over the whole table under a generic plan.
 */
export function imageColumns(sql: Queryable) {
  return fixed(
    sql,
    'imageColumns',
    () => sql`
    i.id, i.parent_id as "parentId", i.base_id as "baseId", i.created, i.architecture, i.os,
    i.author, i.comment,
    i.last_tag_time as "lastTagTime",
    i.child_count = 0 as "isHead"`,
  );
}

/**
 * An ImageRow of the image under `alias` as one JSON object, for the rows
 * that come with another image's row (its parent, its children).
 */
export function imageJson(sql: Queryable, alias: string) {
  const a = sql(alias);
  return sql`json_build_object(
    'id', ${a}.id, 'parentId', ${a}.parent_id, 'baseId', ${a}.base_id, 'created', ${a}.created,
    'architecture', ${a}.architecture, 'os', ${a}.os, 'author', ${a}.author,
    'comment', ${a}.comment, 'lastTagTime', ${a}.last_tag_time,
    'isHead', ${a}.child_count = 0)`;
}

/** The select list of a LayerRow from `layers l`. */
export function layerColumns(sql: Queryable) {
  return sql`l.chain_id as "chainId", l.diff_id as "diffId",
    l.parent_chain_id as "parentChainId", l.depth`;
}

/** Splits rows into one list per key, in the keys' order. */
export function groupBy<T>(
  keys: readonly string[],
  rows: readonly T[],
  keyOf: (row: T) => string,
): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key)!);
}
