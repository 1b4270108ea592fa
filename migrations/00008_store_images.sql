-- A create as one statement. Its steps (the lineage locks, the insert with
-- each image's base, the rebase, the rows read back) are the statements of one
-- PL/pgSQL function, and each of them takes a snapshot of its own: the insert
-- sees every lineage writer that committed before its locks were granted, the
-- rebase sees the insert. The client sends one statement, and outside a
-- transaction that statement is the transaction: no begin, no commit, one
-- round trip a create.

-- The lineage locks for images with these first layers (null for an image
-- without layers). Writers take them in this order: the whole forest (shared,
-- or exclusive for an image without layers, a candidate base of every image),
-- then one lock per first layer, sorted. Images with different first layers
-- never share candidates, so they go on in parallel. Deletes take them too,
-- before they lock any image row: a rebase updates rows other deletes may be
-- locking, so the lineage locks come first for everyone.
create function lock_lineage(first_layers text[]) returns void
  language plpgsql volatile
as $$
begin
  if array_position(first_layers, null) is not null then
    perform pg_advisory_xact_lock(7210003);
    return;
  end if;
  perform pg_advisory_xact_lock_shared(7210003);
  perform pg_advisory_xact_lock(7210004, hashtext(g))
  from (select distinct g from unnest(first_layers) g order by g) groups;
end;
$$;

-- Stores the images that are new (one per element of the new_* arrays, IDs
-- distinct), and for those alone their layers, layer references and an event
-- of event_type (CREATE or IMPORT); images already stored are left as they
-- are. Chains and histories come as array literals, one per image; the
-- references as one row per layer of an image. Returns every named image as
-- store/rows.ts reads an image, with "isNew" when this transaction inserted
-- it. An image that was stored for the insert but is gone by the read was
-- deleted in between: serialization_failure, to run again and store it this time.
create function store_images(
  new_ids text[], new_configs text[], new_parents text[], new_created text[],
  new_architectures text[], new_oses text[], new_authors text[], new_comments text[],
  new_labels text[], new_chains text[], new_histories text[],
  ref_image_ids text[], ref_positions integer[], ref_chain_ids text[], ref_diff_ids text[],
  ref_parent_chain_ids text[], event_type text)
returns table (
  id text, "parentId" text, "baseId" text, created timestamptz, architecture text, os text,
  author text, comment text, "lastTagTime" timestamptz, "isHead" boolean, "isNew" boolean)
language plpgsql volatile
-- Each statement here is written to stay an index probe under a generic
-- plan, and planning the rebase for each call's values took longer than
-- running it.
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
  inserted integer;
  all_apart boolean;
  found_rows integer;
begin
  -- Writers of one lineage take turns from here, before any of them holds a layer.
  perform lock_lineage(array(select (c::text[])[1] from unnest(new_chains) c));

  with new_images as (
    insert into images as i
      (id, raw_config, parent_id, created, architecture, os, author, comment, labels,
       chain_top, chain_length, history_chain, base_id)
    select n.id, n.raw_config, n.parent_id, n.created::timestamptz, n.architecture, n.os,
      n.author, n.comment, n.labels::jsonb,
      a.chain[cardinality(a.chain)], cardinality(a.chain), a.history_chain,
      -- Among the images stored before this statement: one of this batch may
      -- be nearer, which the rebase below sees.
      base.base_id
    from unnest(new_ids, new_configs, new_parents, new_created, new_architectures, new_oses,
                new_authors, new_comments, new_labels, new_chains, new_histories)
      as n (id, raw_config, parent_id, created, architecture, os, author, comment, labels,
            chain_text, history_text),
      lateral (select n.chain_text::text[] as chain, n.history_text::text[] as history_chain) a
      left join lateral lineage_base_of(n.id, a.chain, a.history_chain) base on true
    on conflict (id) do nothing
    returning i.id, i.parent_id,
      -- No stored image holds its chain, so none can have it as a nearer
      -- base: a lone new image is then complete without the rebase.
      i.chain_top is not null and not exists (
        select from image_layers yl
        where yl.chain_id = i.chain_top and yl.position = i.chain_length - 1
      ) as apart
  ),
  refs as (
    select * from unnest(ref_image_ids, ref_positions, ref_chain_ids, ref_diff_ids,
                         ref_parent_chain_ids)
      as r (image_id, position, chain_id, diff_id, parent_chain_id)
    where r.image_id in (select id from new_images)
  ),
  new_layers as (
    -- One order for every writer, so that concurrent creates never deadlock.
    insert into layers (chain_id, diff_id, parent_chain_id, depth)
    select distinct chain_id, diff_id, parent_chain_id, position + 1 from refs order by chain_id
    on conflict (chain_id) do nothing
  ),
  -- Checking each reference locks its layer: in chain ID order, as deletes lock them.
  new_refs as (
    insert into image_layers (image_id, position, chain_id, diff_id)
    select image_id, position, chain_id, diff_id from refs order by chain_id
  ),
  events as (
    insert into image_events (type, image_id, parent_id)
    select event_type, id, parent_id from new_images
  )
  select count(*), coalesce(bool_and(apart), true) into inserted, all_apart from new_images;

  if inserted > 1 or (inserted = 1 and not all_apart) then
    perform rebase_after_create(new_ids);
  end if;

  return query
    select i.id, i.parent_id, i.base_id, i.created, i.architecture, i.os, i.author, i.comment,
      i.last_tag_time, (select false from images c where c.parent_id = i.id limit 1) is null,
      i.xmin = pg_current_xact_id()::xid
    from images i where i.id = any(new_ids);
  get diagnostics found_rows = row_count;
  if found_rows < cardinality(new_ids) then
    raise exception 'an image was deleted while it was being stored again'
      using errcode = 'serialization_failure';
  end if;
end;
$$;

-- After an insert, which gave each new image its base among the images
-- stored before it: gives a nearer one to the new images that have a
-- candidate in the same batch, and to every stored image one of them may now
-- be nearer to than its base.
--
-- The stored images a new image Z can come between: those that hold Z's
-- chain and whose base is a candidate of Z (an image whose chain is a prefix
-- of Z's, or equal: any nearer base of theirs would beat Z), found from those
-- candidates' derived images rather than from every image that holds Z's
-- layers (a base's whole family); images with no base and Z's chain; and,
-- only when no stored image holds a prefix of Z's chain (Z is a base that
-- came after its derived images), the images with no base that hold it.
create function rebase_after_create(new_ids text[]) returns void
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
    select new_id, max(chain_length) filter (where stored and chain_length < new_length)
      as nearest_length
    from candidates group by new_id
  ),
  candidate as (select * from candidates join nearest using (new_id)),
  first_of_chain as (
    select new_id as id, new_top as chain_top, new_length as chain_length
    from candidate group by 1, 2, 3 having not bool_or(stored)
  ),
  affected as (
    -- A new image whose insert could not see a candidate of this batch.
    select new_id as id from candidate where not stored and id <> new_id
    union
    -- A stored image that holds a new image's chain has as its base one of
    -- the new image's stored candidates, and not one shorter than the
    -- longest of them shorter than the new image (that one would be nearer).
    -- The new image beats a shorter base; one of equal chain, when the new
    -- image's history is a prefix of the stored image's, or the base's is not.
    select y.id
    from candidate c,
      lateral (
        select y.id from images y
        where y.base_id = c.id
          and exists (
            select from image_layers yl
            where yl.image_id = y.id and yl.position = c.new_length - 1
              and yl.chain_id = c.new_top
          )
          and (c.chain_length < c.new_length
               or history_is_prefix(c.new_history, y.history_chain)
               or not history_is_prefix(c.history_chain, y.history_chain))
        offset 0
      ) y
    where c.stored and c.chain_length >= coalesce(c.nearest_length, 0)
    union
    select y.id
    from fresh n,
      lateral (
        select y.id from images y
        where y.chain_top = n.chain_top and y.chain_length = n.chain_length and y.base_id is null
          and y.id <> n.id
        offset 0
      ) y
    union
    select y.id
    from first_of_chain n,
      lateral (
        select y.id from image_layers yl, images y
        where yl.chain_id = n.chain_top and yl.position = n.chain_length - 1
          and y.id = yl.image_id and y.base_id is null and y.id <> n.id
        offset 0
      ) y
    union
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
