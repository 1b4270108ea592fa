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

// Settled: written by a transaction older than the oldest one still in
// flight, so no event can come before it any more.
const settled = (sql: Queryable) => sql`e.tx < pg_snapshot_xmin(pg_current_snapshot())`;

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
): Promise<SettledRead> {
  const rows = await sql<(EventRow & { settled: boolean })[]>`
    select ${eventColumns(sql)}, ${settled(sql)} as settled
    from image_events e
    where ${after === null ? sql`true` : sql`(e.tx, e.position) > (${after.tx}::xid8, ${after.position}::bigint)`}
    order by e.tx, e.position
    limit ${limit + 1}`;
  const firstUnsettled = rows.findIndex((row) => !row.settled);
  const events = (firstUnsettled === -1 ? rows : rows.slice(0, firstUnsettled))
    .slice(0, limit)
    .map(({ settled: _, ...row }) => row);
  return { events, unsettled: firstUnsettled !== -1 };
}

/** A page of the settled log, for the events connection. */
export interface EventWindow {
  after?: EventCursor;
  before?: EventCursor;
  limit: number;
  descending: boolean;
  filter: EventFilter;
}

/** Which events a reader wants: of these types, from and until these times. */
export interface EventFilter {
  types: readonly EventType[] | null;
  since: Date | null;
  until: Date | null;
}

const filterClauses = (sql: Queryable, filter: EventFilter) => sql`
  ${filter.types ? sql`and e.type = any(${filter.types as EventType[]}::text[])` : sql``}
  ${filter.since ? sql`and e.time >= ${filter.since}` : sql``}
  ${filter.until ? sql`and e.time < ${filter.until}` : sql``}`;

/** A page of the settled events, in the log's order or its reverse. */
export function eventPage(sql: Queryable, page: EventWindow): Promise<EventRow[]> {
  const at = (cursor: EventCursor) => sql`(${cursor.tx}::xid8, ${cursor.position}::bigint)`;
  const direction = page.descending ? sql`desc` : sql`asc`;
  return sql<EventRow[]>`
    select ${eventColumns(sql)} from image_events e
    where ${settled(sql)} ${filterClauses(sql, page.filter)}
      ${page.after ? sql`and (e.tx, e.position) > ${at(page.after)}` : sql``}
      ${page.before ? sql`and (e.tx, e.position) < ${at(page.before)}` : sql``}
    order by e.tx ${direction}, e.position ${direction}
    limit ${page.limit}`;
}

/** How many settled events the filter selects. */
export async function countEvents(sql: Queryable, filter: EventFilter): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from image_events e
    where ${settled(sql)} ${filterClauses(sql, filter)}`;
  return row!.count;
}

/** The last settled event's cursor, or null when the log is empty: where "now" is. */
export async function settledEnd(sql: Queryable): Promise<EventCursor | null> {
  const [row] = await sql<EventCursor[]>`
    select e.tx::text as tx, e.position::text as position from image_events e
    where ${settled(sql)}
    order by e.tx desc, e.position desc limit 1`;
  return row ?? null;
}

/** Before every event: where a reader starts who wants the whole log. */
export const LOG_START: EventCursor = { tx: '0', position: '0' };

/**
 * Where a reader starts who wants the events from a time on: just before the
 * first event at or after it, or after the last event when none is.
 */
export async function cursorBefore(sql: Queryable, time: Date): Promise<EventCursor> {
  // Among settled events only: one still unsettled may yet have others
  // committed before it, at or after the time.
  const [first] = await sql<EventCursor[]>`
    select e.tx::text as tx, e.position::text as position from image_events e
    where e.time >= ${time} and ${settled(sql)} order by e.tx, e.position limit 1`;
  if (!first) return (await settledEnd(sql)) ?? LOG_START;
  const [row] = await sql<EventCursor[]>`
    select e.tx::text as tx, e.position::text as position from image_events e
    where (e.tx, e.position) < (${first.tx}::xid8, ${first.position}::bigint)
    order by e.tx desc, e.position desc limit 1`;
  return row ?? LOG_START;
}

/** How far retention has removed events: the last one removed, or null when none was. */
export async function removedThrough(
  sql: Queryable,
): Promise<(EventCursor & { time: Date }) | null> {
  const [row] = await sql<(EventCursor & { time: Date })[]>`
    select tx::text as tx, position::text as position, time from image_events_removed`;
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
      where e.time < now() - make_interval(secs => ${retentionSeconds}) and ${settled(sql)}
      order by e.tx desc, e.position desc limit 1
    ),
    removed as (
      delete from image_events e using last
      where (e.tx, e.position) <= (last.tx, last.position)
      returning e.time
    ),
    -- The latest time removed, not the last event's: transactions' start
    -- times do not follow their order, and a later time may sit earlier.
    recorded as (
      insert into image_events_removed (tx, position, time)
      select tx, position, (select max(time) from removed) from last
      on conflict (only_row) do update set tx = excluded.tx, position = excluded.position,
        time = greatest(image_events_removed.time, excluded.time)
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
