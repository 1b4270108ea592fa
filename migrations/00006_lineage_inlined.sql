-- The lineage rule as set-returning SQL functions (a row with the base, or
-- none): PostgreSQL inlines such a function into the statement that joins it
-- laterally, so it is planned once with that statement. As scalar functions
-- they were planned again on every call, a third of a millisecond each: most
-- of what a create's lineage cost, and most of a bulk import's time.
drop function lineage_base(text);
drop function lineage_base_of(text, text[], text[]);

-- The base of an image given by its values: its ID, layer chain and history
-- chain. The rule is the one src/domain/lineage.ts states.
create function lineage_base_of(image_id text, chain text[], history text[])
  returns table (base_id text)
  language sql stable parallel safe rows 1
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

-- The base of a stored image, by its ID. Its chain is read once, in a fenced
-- lateral subquery: a function whose arguments hold a subquery is not inlined,
-- and unfenced, the subquery ran again wherever the function reads the chain.
create function lineage_base(image_id text)
  returns table (base_id text)
  language sql stable parallel safe rows 1
begin atomic
  select b.base_id
  from images y,
    lateral (
      select array(select l.chain_id from image_layers l where l.image_id = y.id order by l.position)
        as chain
      offset 0
    ) c,
    lateral lineage_base_of(y.id, c.chain, y.history_chain) b
  where y.id = lineage_base.image_id;
end;
