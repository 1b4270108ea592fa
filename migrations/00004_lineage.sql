-- Lineage: the image each image was built on, read from the configs
-- themselves (src/domain/lineage.ts has the rule). What the rule compares is
-- kept per image: the top of its layer chain and its length, and its history
-- as a chain of digests (entry i's digest covers entries 0..i). The store
-- keeps base_id true in the same transaction as every create and delete.
alter table images add column chain_top text collate "C";
alter table images add column chain_length integer not null default 0;
-- Null until computed: the digests need the domain's code, so migrate() fills
-- them in (store/lineage.ts) for images stored before this migration.
alter table images add column history_chain text[];
alter table images add column base_id text collate "C" references images (id) on delete set null
  check (base_id <> id);

update images i set
  chain_top = (select r.chain_id from image_layers r where r.image_id = i.id
               order by r.position desc limit 1),
  chain_length = (select count(*) from image_layers r where r.image_id = i.id);

-- Candidates are found by the top of their chain; images are listed by base.
create index images_chain_top on images (chain_top);
create index images_base_id on images (base_id);

-- Whether history x is a prefix of history y (both chains of digests).
create function history_is_prefix(x text[], y text[]) returns boolean
  language sql immutable parallel safe
  return cardinality(x) <= cardinality(y) and (cardinality(x) = 0 or x[cardinality(x)] = y[cardinality(x)]);

-- The lineage rule of src/domain/lineage.ts for one stored image: among the
-- images whose chain is a prefix of its own (shorter, or equal with a
-- history that is a proper prefix of its own), the one with the longest
-- chain; then one whose history is a prefix of its own; then the longer
-- history; then the earlier created; then the lower ID. Candidates are
-- found by the top of their chain, one index probe per layer of the image
-- (lateral and fenced with offset 0, so that they stay index probes whatever
-- the statistics say: a bulk load outgrows them quickly).
create function lineage_base(image_id text) returns text
  language sql stable parallel safe
begin atomic
  select x.id
  from images y,
    lateral (
      select c.id, c.chain_length, c.history_chain, c.created
      from image_layers yl,
        lateral (
          select * from images c where c.chain_top = yl.chain_id and c.chain_length = yl.position + 1
          offset 0
        ) c
      where yl.image_id = y.id
      union all
      select c.id, c.chain_length, c.history_chain, c.created from images c where c.chain_top is null
    ) x
  where y.id = lineage_base.image_id and x.id <> y.id
    and (x.chain_length < y.chain_length
         or (x.chain_length = y.chain_length
             and cardinality(x.history_chain) < cardinality(y.history_chain)
             and history_is_prefix(x.history_chain, y.history_chain)))
  order by x.chain_length desc,
    history_is_prefix(x.history_chain, y.history_chain) desc,
    cardinality(x.history_chain) desc,
    x.created asc nulls last,
    x.id
  limit 1;
end;

-- How deep a layer sits in its chain: 1 for a base layer.
alter table layers add column depth integer;
with recursive below (chain_id, depth) as (
  select chain_id, 1 from layers where parent_chain_id is null
  union all
  select l.chain_id, below.depth + 1 from layers l join below on l.parent_chain_id = below.chain_id
)
update layers l set depth = below.depth from below where below.chain_id = l.chain_id;
alter table layers alter column depth set not null;
