-- The rebase after a create, narrowed to the stored images the new image is
-- a candidate of. It read every derived image of each candidate of the new
-- image (with an image_layers probe each) and recomputed the base of any
-- that held the new chain, a candidate of the new image or not: a create
-- beside a base with a thousand derived images, or beside a hundred images of
-- one chain, cost hundreds of milliseconds, and more as the family grew.
--
-- A new image Z (chain C of length n, history H) is a candidate of a stored
-- image y that holds C when y's chain is longer than n, or equal with H a
-- proper prefix of y's history. It can be nearer than y's base b only when b
-- is no longer than n. When b is shorter, b is one of Z's stored candidates of
-- the nearest length below n (a longer one would be y's candidate too). Then,
-- when a stored image has C itself, any y with a longer chain would have that
-- image as a nearer base than b: only the images with chain C are left,
-- found by their chain's top. Otherwise the images that hold C are found by
-- their layer at position n - 1 (the new image sits in the middle of a
-- lineage: a base stored after its derived images). When b has chain C, y is
-- among b's derived images, and Z is nearer only when H is a prefix of y's
-- history or b's history is not.
create or replace function rebase_after_create(new_ids text[]) returns void
  language plpgsql volatile
  set plan_cache_mode = force_generic_plan
as $$
begin
  with fresh as (
    select id, chain_top, chain_length, history_chain from images
    where id = any(new_ids) and xmin = pg_current_xact_id()::xid
  ),
  -- Per new image, the images whose chain is a prefix of its own or equal
  -- (itself among them), and whether each was stored before this transaction.
  candidates as (
    select n.id as new_id, n.chain_top as new_top, n.chain_length as new_length,
      n.history_chain as new_history, c.*
    from fresh n,
      lateral (
        select c.*
        from image_layers zl,
          -- Fenced: an index probe per layer even when the statistics still
          -- describe the store before a bulk load (a hash join over every image).
          lateral (
            select c.id, c.chain_length, c.history_chain,
              c.xmin <> pg_current_xact_id()::xid as stored
            from images c
            where c.chain_top = zl.chain_id and c.chain_length = zl.position + 1
            offset 0
          ) c
        where zl.image_id = n.id
        union all
        select c.id, c.chain_length, c.history_chain, c.xmin <> pg_current_xact_id()::xid
        from images c where c.chain_top is null
        offset 0
      ) c
  ),
  -- Hashed apart from the candidates: a window over them sorted every
  -- candidate's history along (a tenth of a 1,000-image batch's rebase).
  nearest as (
    select new_id,
      max(chain_length) filter (where stored and chain_length < new_length) as nearest_length,
      coalesce(bool_or(stored and chain_length = new_length), false) as chain_stored
    from candidates group by new_id
  ),
  candidate as (select * from candidates join nearest using (new_id)),
  first_of_chain as (
    select new_id as id, new_top as chain_top, new_length as chain_length,
      new_history as history_chain
    from candidate group by 1, 2, 3, 4 having not bool_or(stored)
  ),
  affected as (
    -- A new image whose insert could not see a candidate of this batch.
    select new_id as id from candidate where not stored and id <> new_id
    union
    -- Images whose base is a stored candidate of the nearest shorter length.
    select y.id
    from candidate c,
      lateral (
        select y.id from images y
        where c.chain_stored and y.chain_top = c.new_top and y.chain_length = c.new_length
          and y.base_id = c.id
          and cardinality(c.new_history) < cardinality(y.history_chain)
          and history_is_prefix(c.new_history, y.history_chain)
        union all
        select y.id from image_layers yl, images y
        where not c.chain_stored and yl.chain_id = c.new_top and yl.position = c.new_length - 1
          and y.id = yl.image_id and y.base_id = c.id
          and (y.chain_length > c.new_length
               or (cardinality(c.new_history) < cardinality(y.history_chain)
                   and history_is_prefix(c.new_history, y.history_chain)))
        offset 0
      ) y
    where c.stored and c.chain_length < c.new_length and c.chain_length = c.nearest_length
    union
    -- Images whose base has the new image's chain.
    select y.id
    from candidate c,
      lateral (
        select y.id from images y
        where y.base_id = c.id
          and (history_is_prefix(c.new_history, y.history_chain)
               or not history_is_prefix(c.history_chain, y.history_chain))
          and (y.chain_length > c.new_length
               or (cardinality(c.new_history) < cardinality(y.history_chain)
                   and history_is_prefix(c.new_history, y.history_chain)))
        offset 0
      ) y
    where c.stored and c.chain_length = c.new_length
    union
    -- Images without a base that have the new image's chain.
    select y.id
    from fresh n,
      lateral (
        select y.id from images y
        where y.chain_top = n.chain_top and y.chain_length = n.chain_length and y.base_id is null
          and y.id <> n.id
          and cardinality(n.history_chain) < cardinality(y.history_chain)
          and history_is_prefix(n.history_chain, y.history_chain)
        offset 0
      ) y
    union
    -- When no stored image has a prefix of the new chain: images without a
    -- base that hold it (the new image is a base stored after its derived).
    select y.id
    from first_of_chain n,
      lateral (
        select y.id from image_layers yl, images y
        where yl.chain_id = n.chain_top and yl.position = n.chain_length - 1
          and y.id = yl.image_id and y.base_id is null and y.id <> n.id
          and (y.chain_length > n.chain_length
               or (cardinality(n.history_chain) < cardinality(y.history_chain)
                   and history_is_prefix(n.history_chain, y.history_chain)))
        offset 0
      ) y
    union
    -- A new image without layers is a candidate of every image: those
    -- without a base, or with a base without layers.
    select y.id from fresh n, images y
      left join images b on b.id = y.base_id
    where n.chain_top is null and coalesce(b.chain_length, 0) = 0
  ),
  computed as (
    select a.id, b.base_id from affected a left join lateral lineage_base(a.id) b on true
  )
  update images i set base_id = c.base_id from computed c
  where i.id = c.id and i.base_id is distinct from c.base_id;
end;
$$;
