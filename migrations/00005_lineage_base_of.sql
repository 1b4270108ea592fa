-- The lineage rule for an image given by its values (its layer chain and its
-- history chain) rather than by a stored row: a create sets each new image's
-- base in its insert, from the images stored before it, instead of writing
-- the row a second time. lineage_base(id) now reads the row and asks this one,
-- so the rule is written once.
create function lineage_base_of(image_id text, chain text[], history text[]) returns text
  language sql stable parallel safe
begin atomic
  select x.id
  from (
    select c.id, c.chain_length, c.history_chain, c.created
    from unnest(lineage_base_of.chain) with ordinality as l (chain_id, depth),
      lateral (
        select * from images c
        where c.chain_top = l.chain_id collate "C" and c.chain_length = l.depth
        offset 0
      ) c
    union all
    select c.id, c.chain_length, c.history_chain, c.created from images c where c.chain_top is null
  ) x
  where x.id <> lineage_base_of.image_id
    and (x.chain_length < cardinality(lineage_base_of.chain)
         or (x.chain_length = cardinality(lineage_base_of.chain)
             and cardinality(x.history_chain) < cardinality(lineage_base_of.history)
             and history_is_prefix(x.history_chain, lineage_base_of.history)))
  order by x.chain_length desc,
    history_is_prefix(x.history_chain, lineage_base_of.history) desc,
    cardinality(x.history_chain) desc,
    x.created asc nulls last,
    x.id
  limit 1;
end;

create or replace function lineage_base(image_id text) returns text
  language sql stable parallel safe
begin atomic
  select lineage_base_of(
    y.id,
    array(select l.chain_id from image_layers l where l.image_id = y.id order by l.position),
    y.history_chain)
  from images y
  where y.id = lineage_base.image_id;
end;

-- The store keeps base_id true itself, under the lineage locks, and a delete
-- hands the images built on a deleted one to their next candidate in the same
-- transaction. The foreign key added nothing to that but a share lock on the
-- base row of every new image, which concurrent creates on one base contend for.
alter table images drop constraint images_base_id_fkey;
