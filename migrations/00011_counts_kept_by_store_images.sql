-- A create's counts (migration 00009) added by store_images itself, the only
-- statement that inserts images, in place of the statement trigger on insert.
-- The trigger's transition table copied every new row, its whole config
-- among it, to count them: a tenth of a lone create's time in PostgreSQL.
-- Deletes keep their trigger: several statements delete images.
drop trigger images_counted_on_insert on images;

create or replace function store_images(
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
  parents text[];
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
  select count(*), coalesce(bool_and(apart), true),
    array_agg(parent_id) filter (where parent_id is not null)
  into inserted, all_apart, parents from new_images;

  -- The counts, as the insert trigger kept them: every new image is a head
  -- until it is a parent, and a parent it is from this batch.
  if inserted > 0 then
    perform add_image_counts(inserted, inserted + case when parents is null then 0 else
      (select add_children(array_agg(p), array_agg(n))
       from (select p, count(*)::integer as n from unnest(parents) p group by p) c) end);
  end if;

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
