import type { Queryable, Sql } from './pool.js';
import type { LayerRow } from './rows.js';

/** What happened to an image. */
export type EventType = 'CREATE' | 'IMPORT' | 'DELETE' | 'PRUNE' | 'SET_PARENT' | 'TAG' | 'UNTAG';

/**
 * An event's place in the log's one order: the writing transaction's ID,
 * then its position. Both are decimal strings (a transaction ID is 64-bit).
 */
export interface EventCursor {
  tx: string;
  position: string;
}

/** An event to record in the transaction of the change it tells of. */
export interface NewEvent {
  type: EventType;
  imageId: string;
  parentId?: string | null;
  /** TAG and UNTAG: the reference, as `docker images` shows it. */
  reference?: string | null;
  /** DELETE and PRUNE: the layers the image released. */
  releasedLayers?: LayerRow[] | null;
}

/** A stored event. */
export interface EventRow extends EventCursor {
  time: Date;
  type: EventType;
  imageId: string;
  parentId: string | null;
  reference: string | null;
  releasedLayers: LayerRow[] | null;
}

const eventColumns = (sql: Queryable) => sql`
  e.tx::text as tx, e.position::text as position, e.time, e.type, e.image_id as "imageId",
  e.parent_id as "parentId", e.reference, e.released_layers as "releasedLayers"`;

/** Writes events inside the caller's transaction, in the order given. */
export async function recordEvents(sql: Queryable, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const column = <T>(pick: (event: NewEvent) => T) => events.map(pick);
  await sql`
    insert into image_events (type, image_id, parent_id, reference, released_layers)
    select type, image_id, parent_id, reference, released_layers::jsonb
    from unnest(
      ${column((e) => e.type)}::text[], ${column((e) => e.imageId)}::text[],
      ${column((e) => e.parentId ?? null)}::text[], ${column((e) => e.reference ?? null)}::text[],
      ${column((e) => (e.releasedLayers ? JSON.stringify(e.releasedLayers) : null))}::text[]
    ) with ordinality as e (type, image_id, parent_id, reference, released_layers, n)
    order by n`;
}

/** What a read of the log's settled end gives: the events, and whether more are committed. */
export interface SettledRead {
  events: EventRow[];
  /**
   * Committed events after these that cannot be handed out yet: an older
   * transaction is still in flight and may add events before them.
   */
  unsettled: boolean;
}

/**
 * The events after a cursor (or from the start) that no transaction still in
 * flight can precede: those of transactions older than the oldest one
 * running. Read in order, at most `limit`.
 */
export async function readSettled(
  sql: Queryable,
  after: EventCursor | null,
  limit: number,
  filter: { types?: readonly EventType[] | null; until?: Date | null } = {},
): Promise<SettledRead> {
  const rows = await sql<(EventRow & { settled: boolean })[]>`
    select ${eventColumns(sql)},
      e.tx < pg_snapshot_xmin(pg_current_snapshot()) as settled
    from image_events e
    where ${after === null ? sql`true` : sql`(e.tx, e.position) > (${after.tx}::xid8, ${after.position}::bigint)`}
      ${filter.types ? sql`and e.type = any(${filter.types as EventType[]}::text[])` : sql``}
      ${filter.until ? sql`and e.time < ${filter.until}` : sql``}
    order by e.tx, e.position
    limit ${limit + 1}`;
  const settled = rows.findIndex((row) => !row.settled);
  const events = (settled === -1 ? rows : rows.slice(0, settled))
    .slice(0, limit)
    .map(({ settled: _, ...row }) => row);
  return { events, unsettled: settled !== -1 };
}

/** The last settled event's cursor, or null when the log is empty: where "now" is. */
export async function settledEnd(sql: Queryable): Promise<EventCursor | null> {
  const [row] = await sql<EventCursor[]>`
    select e.tx::text as tx, e.position::text as position from image_events e
    where e.tx < pg_snapshot_xmin(pg_current_snapshot())
    order by e.tx desc, e.position desc limit 1`;
  return row ?? null;
}

/** The cursor just before the first event at or after a time: to read from that time on. */
export async function cursorBefore(sql: Queryable, time: Date): Promise<EventCursor | null> {
  const [row] = await sql<EventCursor[]>`
    select e.tx::text as tx, e.position::text as position from image_events e
    where (e.tx, e.position) < (
      select (f.tx, f.position) from image_events f where f.time >= ${time}
      order by f.tx, f.position limit 1)
    order by e.tx desc, e.position desc limit 1`;
  return row ?? null;
}

/** How far retention has removed events: the last one removed, or null when none was. */
export async function removedThrough(
  sql: Queryable,
): Promise<(EventCursor & { time: Date }) | null> {
  const [row] = await sql<(EventCursor & { time: Date })[]>`
    select tx::text as tx, position::text as position, time from image_events_removed`;
  return row ?? null;
}

/** The first event still kept, or null when the log is empty. */
export async function oldestKept(sql: Queryable): Promise<EventCursor | null> {
  const [row] = await sql<EventCursor[]>`
    select e.tx::text as tx, e.position::text as position from image_events e
    order by e.tx, e.position limit 1`;
  return row ?? null;
}

/**
 * Removes the settled events older than the retention, as a prefix of the
 * order (so that what is kept has no holes), and records how far it went.
 * Gives how many it removed. Any instance may run it at any time.
 */
export async function removeExpired(sql: Sql, retentionSeconds: number): Promise<number> {
  const [row] = await sql<{ removed: number }[]>`
    with last as (
      select e.tx, e.position, e.time from image_events e
      where e.time < now() - make_interval(secs => ${retentionSeconds})
        and e.tx < pg_snapshot_xmin(pg_current_snapshot())
      order by e.tx desc, e.position desc limit 1
    ),
    removed as (
      delete from image_events e using last
      where (e.tx, e.position) <= (last.tx, last.position)
      returning 1
    ),
    recorded as (
      insert into image_events_removed (tx, position, time)
      select tx, position, time from last
      on conflict (only_row) do update set tx = excluded.tx, position = excluded.position,
        time = excluded.time
      where (image_events_removed.tx, image_events_removed.position)
        < (excluded.tx, excluded.position)
    )
    select count(*)::int as removed from removed`;
  return row!.removed;
}

/** Whether a cursor comes before another in the log's order. */
export function before(a: EventCursor, b: EventCursor): boolean {
  const [atx, btx] = [BigInt(a.tx), BigInt(b.tx)];
  return atx < btx || (atx === btx && BigInt(a.position) < BigInt(b.position));
}
