import { createClient } from 'graphql-sse';
import { drive, graphqlClient, type Measured } from './load.js';

/** What E1 measured. */
export interface EventsMeasured {
  /** W1 creates while the subscribers listened. */
  writes: Measured;
  /** Events delivered per second, over all subscribers, while the writes ran. */
  deliveredPerSecond: number;
  /** From the writer's answer (the commit acknowledged) to a subscriber's receipt, ms. */
  p50: number;
  p99: number;
  /** Deliveries that never came: should be none. */
  lost: number;
  subscribers: number;
}

const SUBSCRIPTION = 'subscription { imageEvents(types: [CREATE]) { cursor imageId } }';
const CREATE = 'mutation W1($c: String!) { createImage(config: $c) { image { id } } }';

/**
 * E1: subscribers spread evenly over the servers while W1 creates through the
 * first at concurrency 8. Each create's event must reach every subscriber.
 * Gives the created IDs too, for the caller to delete.
 */
export async function benchEvents(
  serverUrls: readonly string[],
  subscribers: number,
  seconds: number,
  nextConfig: () => string,
): Promise<EventsMeasured & { created: string[] }> {
  const answeredAt = new Map<string, number>();
  const latencies: number[] = [];
  const received = new Map<string, number>();
  let delivered = 0;
  let ready = 0;
  const clients = Array.from({ length: subscribers }, (_, i) => {
    const client = createClient({ url: serverUrls[i % serverUrls.length]!, retryAttempts: 0 });
    const stop = client.subscribe<{ imageEvents: { imageId: string } }>(
      { query: SUBSCRIPTION },
      {
        next: ({ data }) => {
          const id = data!.imageEvents.imageId;
          const at = performance.now();
          delivered++;
          received.set(id, (received.get(id) ?? 0) + 1);
          const answered = answeredAt.get(id);
          // Before the writer's own answer came: no later than the commit.
          latencies.push(answered === undefined ? 0 : Math.max(0, at - answered));
        },
        error: (error) => console.error('E1 subscriber failed:', error),
        complete: () => {},
      },
      // The subscription's stream is open.
      { connected: () => void ready++ },
    );
    return { client, stop };
  });
  // The subscriptions register on their servers as their streams open.
  await waitFor(() => ready >= subscribers, 2000).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const writer = graphqlClient(serverUrls[0]!, 8);
  const created: string[] = [];
  const configs = Array.from({ length: 3000 * seconds }, nextConfig);
  const startedDelivered = delivered;
  const writes = await drive(
    8,
    seconds,
    async (call) => {
      const { createImage } = await writer.post(CREATE, { c: configs[call]! });
      answeredAt.set(createImage.image.id, performance.now());
      created.push(createImage.image.id);
    },
    configs.length,
  );
  const wallSeconds = writes.requests / writes.perSecond;
  const deliveredPerSecond = (delivered - startedDelivered) / wallSeconds;
  const expected = created.length * subscribers;
  await waitFor(() => delivered - startedDelivered >= expected, 30_000).catch(() => {});
  const lost = created.reduce((sum, id) => sum + (subscribers - (received.get(id) ?? 0)), 0);
  for (const { client, stop } of clients) {
    stop();
    client.dispose();
  }
  await writer.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { writes, deliveredPerSecond, p50: at(0.5), p99: at(0.99), lost, subscribers, created };
}

async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
