import { Repeater } from '@repeaterjs/repeater';
import type { Logger } from 'pino';
import postgres from 'postgres';
import {
  before,
  type EventCursor,
  type EventRow,
  LOG_START,
  readSettled,
  removeExpired,
  settledEnd,
} from '../store/event-log.js';
import type { Sql } from '../store/pool.js';

/** The channel the event log's trigger notifies at each commit that wrote events. */
const CHANNEL = 'image_events';
/** Events read from the log at a time. */
const PAGE = 500;
// Committed events behind an older transaction still in flight wait for it:
// read again after this long, then twice as long, up to the cap.
const UNSETTLED_RETRY_MS = 5;
const UNSETTLED_RETRY_CAP_MS = 200;
/** With subscribers, the log is read this often even without a wake-up. */
const SAFETY_POLL_MS = 2_000;
/** A lost LISTEN connection is tried again after this long, doubling up to the cap. */
const RELISTEN_MS = 100;
const RELISTEN_CAP_MS = 5_000;
/** Events a subscriber may leave unread before it catches up from the log instead. */
const MAX_UNREAD = 1_000;

/** How the hub is run. */
export interface EventHubOptions {
  logger: Logger;
  /** Events older than this are removed from the log. */
  retentionSeconds: number;
  /**
   * Whether to LISTEN on a connection of its own. Off on the embedded
   * database, whose one session the pool holds: there this process is the
   * only writer, and its writes wake the hub themselves.
   */
  listen: boolean;
}

interface Subscriber {
  deliver(event: EventRow): void;
  /** Ends the subscription. */
  end(): void;
}

/**
 * One per server process: it holds one LISTEN connection for all its
 * subscribers, reads the log once per wake-up, and hands each new event to
 * every subscriber. Events reach subscribers in the log's order, each once.
 */
export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  /** The last event read from the log; null until one was. */
  private position: EventCursor | null = null;
  private readonly started: Promise<void>;
  private reading = false;
  private readAgain = false;
  private retryMs = UNSETTLED_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private listener: postgres.Sql | null = null;
  private closed = false;
  /** Whether wake-ups came while there were no subscribers: the position lags the log. */
  private idle = false;

  constructor(
    private readonly sql: Sql,
    private readonly options: EventHubOptions,
  ) {
    this.started = this.start();
    if (options.listen) this.listen();
    const poll = setInterval(() => this.subscribers.size > 0 && this.wake(), SAFETY_POLL_MS);
    const retentionMs = Math.min(60_000, (options.retentionSeconds * 1000) / 2);
    const prune = setInterval(() => void this.removeExpired(), Math.max(retentionMs, 100));
    for (const timer of [poll, prune]) timer.unref();
    this.timers.push(poll, prune);
  }

  /** Finds the log's settled end, where live subscribers start; tries again while the database is away. */
  private async start(): Promise<void> {
    for (let delay = RELISTEN_MS; !this.closed; delay = Math.min(delay * 2, RELISTEN_CAP_MS)) {
      try {
        this.position = await settledEnd(this.sql);
        return;
      } catch (error) {
        this.options.logger.warn({ err: error }, 'event hub: reading the log failed; again soon');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Opens the LISTEN connection. When it is lost (or cannot be opened), one
   * loop opens it again, then reads the log for what was written meanwhile.
   */
  private listen(): void {
    let relistening = false;
    const relisten = async () => {
      if (relistening || this.closed) return;
      relistening = true;
      for (let delay = RELISTEN_MS; !this.closed; delay = Math.min(delay * 2, RELISTEN_CAP_MS)) {
        try {
          await this.listener!`listen ${this.listener!(CHANNEL)}`;
          this.wake();
          break;
        } catch (error) {
          this.options.logger.warn({ err: error }, 'event listener: reconnecting');
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      relistening = false;
    };
    this.listener = postgres({
      // The pool's own settings, as postgres.js's listen reuses them.
      ...this.sql.options,
      max: 1,
      idle_timeout: null,
      max_lifetime: null,
      fetch_types: false,
      connection: { ...this.sql.options.connection, application_name: 'imagestore-events' },
      onnotify: () => this.wake(),
      // Also called for each failed attempt to connect: the one loop above goes on.
      onclose: () => void relisten(),
    } as unknown as postgres.Options<Record<string, never>>);
    void relisten();
  }

  /** Reads what is new in the log now: after a commit of this process, or a notification. */
  wake(): void {
    if (this.closed) return;
    // No one to hand events to: the first subscriber moves the position to the
    // log's end (see stream), so writes cost no read of the log until then.
    if (this.subscribers.size === 0) {
      this.idle = true;
      return;
    }
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    void this.readNew().finally(() => {
      this.reading = false;
      if (this.readAgain) {
        this.readAgain = false;
        this.wake();
      }
    });
  }

  private async readNew(): Promise<void> {
    try {
      await this.started;
      for (;;) {
        const { events, unsettled } = await readSettled(this.sql, this.position, PAGE);
        for (const event of events) {
          this.position = event;
          for (const subscriber of this.subscribers) subscriber.deliver(event);
        }
        if (events.length === PAGE) continue;
        if (unsettled) this.retrySoon();
        else this.retryMs = UNSETTLED_RETRY_MS;
        return;
      }
    } catch (error) {
      // The database is away: the safety poll and the next wake-up try again.
      this.options.logger.warn({ err: error }, 'event hub: reading the log failed');
    }
  }

  private retrySoon(): void {
    if (this.retryTimer !== null || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.wake();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, UNSETTLED_RETRY_CAP_MS);
  }

  private async removeExpired(): Promise<void> {
    try {
      const removed = await removeExpired(this.sql, this.options.retentionSeconds);
      if (removed > 0) this.options.logger.debug({ removed }, 'event log: removed expired events');
    } catch (error) {
      this.options.logger.warn({ err: error }, 'event log: removing expired events failed');
    }
  }

  /**
   * The events after `since` (from the log), then every new one as it
   * settles, without a gap or a repeat at the seam; without `since`, the new
   * ones only. Only those `wanted` are yielded. A subscriber that falls
   * behind catches up from the log at its own pace, as a replay does. Ends
   * when the hub closes.
   */
  stream(since: EventCursor | null, wanted: (event: EventRow) => boolean): AsyncIterable<EventRow> {
    return new Repeater<EventRow>(async (push, stop) => {
      let stopped = false;
      void stop.then(() => (stopped = true));
      // Events the hub hands over while this subscriber reads the log: they
      // may come after some the read has not reached yet.
      let waiting: EventRow[] | null = [];
      // Held events dropped for number while reading: they are in the log, read again.
      let dropped = false;
      let unread = 0;
      let behind: () => void = () => {};
      let cursor: EventCursor | null = since;
      const deliver = (event: EventRow) => {
        if (cursor !== null && !before(cursor, event)) return;
        if (unread >= MAX_UNREAD) {
          // Too far behind to hold more: read the rest from the log instead.
          waiting = [];
          behind();
          return;
        }
        cursor = event;
        if (!wanted(event)) return;
        unread++;
        void push(event).then(() => unread--);
      };
      const hold = (event: EventRow) => {
        if (waiting!.length < MAX_UNREAD) waiting!.push(event);
        else {
          waiting = [];
          dropped = true;
        }
      };
      const subscriber = {
        deliver: (event: EventRow) => (waiting ? hold(event) : deliver(event)),
        end: () => stop(),
      };
      this.subscribers.add(subscriber);
      try {
        await this.started;
        const end = await settledEnd(this.sql);
        if (this.idle) {
          this.idle = false;
          // The first subscriber after a quiet spell: the hub need not read
          // what it skipped, unless another subscriber came in meanwhile.
          const alone = this.subscribers.size === 1;
          if (alone && (this.position === null || (end !== null && before(this.position, end)))) {
            this.position = end;
          }
        }
        cursor ??= end;
        this.wake();
        while (!stopped) {
          // Read the log from the cursor to its settled end, waiting for the
          // subscriber to take each event.
          while (waiting !== null && !stopped) {
            dropped = false;
            const { events } = await readSettled(this.sql, cursor ?? LOG_START, PAGE);
            for (const event of events) {
              cursor = event;
              if (wanted(event)) await push(event);
            }
            if (events.length < PAGE && !dropped) {
              const held: EventRow[] = waiting;
              waiting = null;
              for (const event of held) deliver(event);
            }
          }
          await Promise.race([stop, new Promise<void>((resolve) => (behind = resolve))]);
        }
      } catch (error) {
        stop(error);
      } finally {
        this.subscribers.delete(subscriber);
      }
    });
  }

  /** How many subscriptions this process serves. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Ends every subscription and closes the LISTEN connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const subscriber of this.subscribers) subscriber.end();
    await this.listener?.end({ timeout: 1 });
  }
}
