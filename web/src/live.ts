import { createClient } from 'graphql-ws';
import { useEffect, useState } from 'react';
import { stringifyDocument } from 'urql';
import { client } from './client.ts';
import { graphql, type ResultOf } from './graphql.ts';
import { token } from './token.ts';

const LATEST = graphql(`
  query LatestEvent { events(last: 1) { edges { cursor } } }
`);

const EVENTS = graphql(`
  subscription Events($since: String) {
    imageEvents(since: $since) {
      cursor
      type
      imageId
      parentId
      reference
      image { id parent { id } base { id } }
    }
  }
`);

/** One event of the store, as the page hears it. */
export type StoreEvent = ResultOf<typeof EVENTS>['imageEvents'];

/** Where the page stands with the event stream. */
export type Connection = 'connecting' | 'live' | 'reconnecting';

type Listener = (event: StoreEvent) => void;
const listeners = new Set<Listener>();
const watchers = new Set<(state: Connection) => void>();
let state: Connection = 'connecting';
let started = false;

/**
 * Listens to imageEvents for the whole page, from the last event in the log
 * when the page started (so nothing between the page's first reads and the
 * subscription is missed). After a drop it subscribes again with since set to
 * the last event it saw, so nothing is missed or told twice.
 */
async function start(): Promise<void> {
  if (started) return;
  started = true;
  const latest = await client.query(LATEST, {}, { requestPolicy: 'network-only' }).toPromise();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const socket = createClient({
    url,
    retryAttempts: 0,
    connectionParams: () => {
      const bearer = token();
      return bearer ? { authorization: `Bearer ${bearer}` } : {};
    },
    on: { connected: () => set('live') },
  });
  let since: string | null = latest.data?.events.edges[0]?.cursor ?? null;
  let delay = 250;
  const subscribe = () => {
    socket.subscribe<ResultOf<typeof EVENTS>>(
      { query: stringifyDocument(EVENTS), variables: { since } },
      {
        next: ({ data }) => {
          if (!data) return;
          delay = 250;
          since = data.imageEvents.cursor;
          for (const listener of listeners) listener(data.imageEvents);
        },
        error: () => again(),
        complete: () => again(),
      },
    );
  };
  const again = () => {
    set('reconnecting');
    setTimeout(subscribe, delay);
    delay = Math.min(delay * 2, 5_000);
  };
  subscribe();
}

function set(next: Connection): void {
  state = next;
  for (const watch of watchers) watch(next);
}

/** Whether an event changes what is shown of an image: itself, or an image just below it. */
export function concerns(event: StoreEvent, id: string): boolean {
  return (
    event.imageId === id ||
    event.parentId === id ||
    event.image?.parent?.id === id ||
    event.image?.base?.id === id
  );
}

/** Calls back on every store event while the component is mounted. */
export function useStoreEvents(listener: Listener): void {
  useEffect(() => {
    void start();
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, [listener]);
}

/** The state of the event stream, for the badge. */
export function useConnection(): Connection {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    void start();
    watchers.add(setCurrent);
    setCurrent(state);
    return () => void watchers.delete(setCurrent);
  }, []);
  return current;
}
