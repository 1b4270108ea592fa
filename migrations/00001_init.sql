-- Digests are compared byte-wise (collate "C") so that primary-key btrees
-- also serve ID-prefix searches and ordering by ID.

create table layers (
  chain_id        text collate "C" primary key check (chain_id ~ '^sha256:[0-9a-f]{64}$'),
  diff_id         text collate "C" not null check (diff_id ~ '^sha256:[0-9a-f]{64}$'),
  parent_chain_id text collate "C" references layers (chain_id)
);
-- The foreign key above is checked on every layer release.
create index layers_parent_chain_id on layers (parent_chain_id);

create table images (
  id           text collate "C" primary key check (id ~ '^sha256:[0-9a-f]{64}$'),
  raw_config   text not null,
  parent_id    text collate "C" references images (id) on delete set null check (parent_id <> id),
  created      timestamptz,
  architecture text,
  os           text,
  author       text,
  comment      text
);
create index images_parent_id on images (parent_id);

-- An image's reference on each layer of its chain, base first (position 0).
create table image_layers (
  image_id text collate "C" not null references images (id) on delete cascade,
  position integer not null,
  chain_id text collate "C" not null references layers (chain_id),
  primary key (image_id, position)
);
create index image_layers_chain_id on image_layers (chain_id);
