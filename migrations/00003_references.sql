-- Docker's reference store, beside the image store: names that point at images.
-- `name` is the normalized reference (docker.io/library/ubuntu:22.04, or
-- ghcr.io/acme/api@sha256:…); `familiar` is how `docker images` shows it
-- (ubuntu:22.04). An image with references cannot be deleted without them:
-- the foreign key has no cascade, so a delete must remove (and report) them.
create table image_references (
  name                text collate "C" primary key,
  repository          text collate "C" not null,
  tag                 text collate "C",
  digest              text collate "C",
  familiar            text collate "C" not null,
  familiar_repository text collate "C" not null,
  image_id            text collate "C" not null references images (id),
  created_at          timestamptz not null default now(),
  check ((tag is null) <> (digest is null))
);
create index image_references_image_id on image_references (image_id);
-- Listing one repository's references, by name.
create index image_references_repository on image_references (repository, name);
-- Reference patterns with a literal prefix scan a range of these.
create index image_references_familiar on image_references (familiar);
create index image_references_familiar_repository on image_references (familiar_repository);

-- When the image was last tagged: Docker's LastTagTime.
alter table images add column last_tag_time timestamptz;

-- The config's config.Labels, for label filters: `?` for a key, `@>` for key=value.
alter table images add column labels jsonb;
create index images_labels on images using gin (labels);
do $$
declare
  img record;
begin
  for img in select id, raw_config from images loop
    begin
      update images set labels = (
        select case when jsonb_typeof(l) = 'object' then l end
        from (select img.raw_config::jsonb #> '{config,Labels}' as l) as labels
      ) where id = img.id;
    exception when others then
      -- A config jsonb cannot hold (a \u0000 escape) keeps no labels to filter on.
      null;
    end;
  end loop;
end $$;

-- Listing by creation time, as `docker images` does; images without a
-- created time sort first, as Go's zero time would.
create index images_created on images ((coalesce(created, '-infinity'::timestamptz)), id);
