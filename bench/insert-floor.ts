import { parseArgs } from 'node:util';
import postgres from 'postgres';
import {
  insertImages,
  layerReferences,
  type Validated,
  validate,
} from '../src/store/image-writes.js';
import { migrate } from '../src/store/migrate.js';
import { connect, type Queryable } from '../src/store/pool.js';
import { generateForest } from './forest.js';

// `node --import tsx bench/insert-floor.ts [--images 20000]`: how fast PostgreSQL on this
// machine stores generated images in 1,000-image statements, validated beforehand, with no
// HTTP: the bare rows (images, layer references, new layers; no lineage, no events), then
// the store's own insert. What an import through the API can at best approach.
const { values } = parseArgs({ options: { images: { type: 'string', default: '20000' } } });
const count = Number(values.images);
const BATCH = 1000;
const server = process.env.BENCH_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

const ids: string[] = [];
const images = [...generateForest({ images: count, seed: 1 })].map((image) => {
  const validated = validate({ rawConfig: image.rawConfig });
  ids.push(validated.id);
  return { ...validated, parentId: image.parent === null ? null : ids[image.parent]! };
});

const admin = postgres(`${server}/postgres`, { max: 1, onnotice: () => {} });
for (const [name, insert] of [
  ['bare rows', bareRows],
  [
    'store_images',
    async (sql: Queryable, batch: Validated[]) => void (await insertImages(sql, batch, 'IMPORT')),
  ],
] as const) {
  await admin`drop database if exists imagestore_insert_floor with (force)`;
  await admin`create database imagestore_insert_floor`;
  const sql = connect(`${server}/imagestore_insert_floor`);
  await migrate(sql);
  const started = performance.now();
  let analyzedAt = 0;
  for (let at = 0; at < count; at += BATCH) {
    await sql.begin((tx) => insert(tx, images.slice(at, at + BATCH)));
    // As the store does during bulk writes: statistics each time the store doubles.
    if (at + BATCH >= 2 * analyzedAt) {
      await sql`analyze images, image_layers, layers`;
      analyzedAt = at + BATCH;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${name}: ${count} images in ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(0)}/s`,
  );
  await sql.end();
}
await admin`drop database if exists imagestore_insert_floor with (force)`;
await admin.end();

/** The images, their layer references and new layers, as one statement, and nothing else. */
async function bareRows(sql: Queryable, batch: Validated[]): Promise<void> {
  const refs = layerReferences(batch);
  const column = <T>(pick: (image: Validated) => T) => batch.map(pick);
  const refColumn = <T>(pick: (ref: (typeof refs)[number]) => T) => refs.map(pick);
  await sql`
    with new_images as (
      insert into images (id, raw_config, parent_id, created, architecture, os, author,
        comment, labels, chain_top, chain_length, history_chain)
      select id, raw_config, parent_id, created::timestamptz, architecture, os, author,
        comment, labels::jsonb, (c::text[])[cardinality(c::text[])], cardinality(c::text[]),
        h::text[]
      from unnest(
        ${column((i) => i.id)}::text[], ${column((i) => i.rawConfig)}::text[],
        ${column((i) => i.parentId)}::text[], ${column((i) => i.created)}::text[],
        ${column((i) => i.architecture)}::text[], ${column((i) => i.os)}::text[],
        ${column((i) => i.author)}::text[], ${column((i) => i.comment)}::text[],
        ${column((i) => (i.labels === null ? null : JSON.stringify(i.labels)))}::text[],
        ${column((i) => `{${i.chain.join(',')}}`)}::text[],
        ${column((i) => `{${i.historyChain.join(',')}}`)}::text[]
      ) as n (id, raw_config, parent_id, created, architecture, os, author, comment, labels,
              c, h)
      on conflict (id) do nothing
      returning id
    ),
    refs as (
      select * from unnest(
        ${refColumn((r) => r.imageId)}::text[], ${refColumn((r) => r.position)}::int[],
        ${refColumn((r) => r.chainId)}::text[], ${refColumn((r) => r.diffId)}::text[],
        ${refColumn((r) => r.parentChainId)}::text[]
      ) as r (image_id, position, chain_id, diff_id, parent_chain_id)
      where r.image_id in (select id from new_images)
    ),
    new_layers as (
      insert into layers (chain_id, diff_id, parent_chain_id, depth)
      select distinct chain_id, diff_id, parent_chain_id, position + 1 from refs order by chain_id
      on conflict (chain_id) do nothing
    )
    insert into image_layers (image_id, position, chain_id, diff_id)
    select image_id, position, chain_id, diff_id from refs order by chain_id`;
}
