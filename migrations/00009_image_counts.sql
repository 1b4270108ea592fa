-- Counts that cost the same at any size of the store, kept by the statement
-- that changes them, in its own transaction.
--
-- An image's child_count is how many images have it as their parent, so
-- whether it is a head (child_count = 0) is a fact of its own row, read from
-- a partial index, rather than an anti-join against every image. The number
-- of images and of heads is the sum of the image_counts rows: each write adds
-- its change to one row chosen at random, so concurrent writers seldom wait
-- for one another's commit on the same row.

alter table images add column child_count integer not null default 0;

update images p set child_count = c.n
from (select parent_id, count(*)::integer as n from images
      where parent_id is not null group by parent_id) c
where p.id = c.parent_id;

create index images_heads on images (id) where child_count = 0;

create table image_counts (
  slot   smallint primary key,
  images bigint not null,
  heads  bigint not null
);

insert into image_counts (slot, images, heads)
select slot, 0, 0 from generate_series(0, 63) as slot;

update image_counts set
  images = (select count(*) from images),
  heads = (select count(*) from images where child_count = 0)
where slot = 0;

-- Adds to the counts, in one of the rows. PL/pgSQL keeps the update's plan,
-- where an SQL function planned it on every call.
create function add_image_counts(images_added bigint, heads_added bigint) returns void
  language plpgsql volatile
as $$
declare
  -- Drawn once: random() in the where clause would be drawn again for every row.
  chosen smallint := floor(random() * 64)::smallint;
begin
  if images_added <> 0 or heads_added <> 0 then
    update image_counts
    set images = images + images_added, heads = heads + heads_added
    where slot = chosen;
  end if;
end;
$$;

-- Adds `added` (one entry per parent, negative to take away) to the parents'
-- child counts, locking them in ID order so that two writers cannot deadlock
-- on the same parents. Returns how many parents became heads, minus how many
-- stopped being heads.
create function add_children(parents text[], added integer[]) returns bigint
  language plpgsql volatile
as $$
declare
  heads_added bigint;
begin
  perform from images where id = any(parents) order by id for no key update;
  with changed as (
    update images p set child_count = p.child_count + d.added
    from unnest(parents, added) as d (parent_id, added)
    where p.id = d.parent_id
    returning p.child_count - d.added as before, p.child_count as after
  )
  select coalesce(sum(case
      when before = 0 and after > 0 then -1
      when before > 0 and after = 0 then 1
      else 0 end), 0)
  into heads_added from changed;
  return heads_added;
end;
$$;

-- After an insert or a delete: the images counted in or out, heads among
-- them (a new image has no children), and their parents' child counts.
create function count_changed_images() returns trigger
  language plpgsql volatile
as $$
declare
  sign integer := case tg_op when 'INSERT' then 1 else -1 end;
  parents text[];
  added integer[];
begin
  select array_agg(parent_id), array_agg(sign * n) into parents, added
  from (select parent_id, count(*)::integer as n from changed_images
        where parent_id is not null group by parent_id) c;
  perform add_image_counts(
    sign * (select count(*) from changed_images),
    sign * (select count(*) from changed_images where child_count = 0)
      + case when parents is null then 0 else add_children(parents, added) end);
  return null;
end;
$$;

-- setParent, and a parent's delete setting its children's parent_id to null.
create function count_moved_image() returns trigger
  language plpgsql volatile
as $$
declare
  heads_added bigint := 0;
begin
  if old.parent_id is not null then
    heads_added := heads_added + add_children(array[old.parent_id], array[-1]);
  end if;
  if new.parent_id is not null then
    heads_added := heads_added + add_children(array[new.parent_id], array[1]);
  end if;
  perform add_image_counts(0, heads_added);
  return null;
end;
$$;

create function reset_image_counts() returns trigger
  language plpgsql volatile
as $$
begin
  update image_counts set images = 0, heads = 0;
  return null;
end;
$$;

create trigger images_counted_on_insert after insert on images
  referencing new table as changed_images
  for each statement execute function count_changed_images();

create trigger images_counted_on_delete after delete on images
  referencing old table as changed_images
  for each statement execute function count_changed_images();

create trigger images_counted_on_move after update of parent_id on images
  for each row when (old.parent_id is distinct from new.parent_id)
  execute function count_moved_image();

create trigger images_counted_on_truncate after truncate on images
  for each statement execute function reset_image_counts();
