-- The event log: what changed in the store, written by the same transaction
-- as the change, so that a rolled-back write leaves no event and a committed
-- one always has its events.
--
-- Events are ordered by (tx, position): the writing transaction's ID, then
-- the order within it. Readers only take events of transactions older than
-- the oldest one still in flight (pg_snapshot_xmin of their snapshot): no
-- transaction can then add an event before what they have read, which a
-- sequence alone cannot promise (positions are drawn before commit, so they
-- commit out of order).
create table image_events (
  tx xid8 not null default pg_current_xact_id(),
  position bigint generated always as identity,
  time timestamptz not null default now(),
  type text not null
    check (type in ('CREATE', 'IMPORT', 'DELETE', 'PRUNE', 'SET_PARENT', 'TAG', 'UNTAG')),
  image_id text collate "C" not null,
  parent_id text collate "C",
  reference text,
  -- DELETE and PRUNE: the layers the image released, as LayerMetadata.
  released_layers jsonb,
  primary key (tx, position)
);
create index image_events_time on image_events (time);

-- How far retention has removed events: the last removed event's place in
-- the order, and its time. A reader asking for events from before it gets
-- EVENTS_EXPIRED rather than a silent gap.
create table image_events_removed (
  only_row boolean primary key default true check (only_row),
  tx xid8 not null,
  position bigint not null,
  time timestamptz not null
);

-- Wakes every server instance that listens: one notification per
-- transaction (PostgreSQL folds equal ones), delivered at commit.
create function notify_image_events() returns trigger
  language plpgsql
as $$
begin
  perform pg_notify('image_events', '');
  return null;
end;
$$;

create trigger image_events_notify after insert on image_events
  for each statement execute function notify_image_events();
