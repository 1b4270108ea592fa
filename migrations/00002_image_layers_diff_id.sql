-- An image's layers are read far more often than layers are looked up by
-- chain ID. A chain ID fixes its diff ID for good, so each reference keeps a
-- copy and reading an image's chain needs no join.
alter table image_layers add column diff_id text collate "C";
update image_layers r set diff_id = l.diff_id from layers l where l.chain_id = r.chain_id;
alter table image_layers alter column diff_id set not null;
