import { type ChildProcess, fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { countImages } from './cases.js';

/** What one side of one case measured, driven by autocannon. */
export interface Cannonade {
  perSecond: number;
  p50: number;
  /** Non-2xx answers and socket errors: any makes the row worthless. */
  failures: number;
  /** The client's own CPU over the run, as a share of one core. */
  clientCpu: number;
}

/**
 * Drives one GraphQL endpoint with autocannon (keep-alive, no pipelining) for
 * `seconds` at `connections`, each request's body from `body`.
 */
export async function cannonade(
  url: string,
  connections: number,
  seconds: number,
  body: (call: number) => string,
): Promise<Cannonade> {
  let call = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: body(call++) }),
      },
    ],
  });
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    perSecond: result.requests.total / wall,
    p50: result.latency.p50,
    failures: result.non2xx + result.errors + result.timeouts,
    clientCpu: (used.user + used.system) / 1e6 / wall,
  };
}

/** The documents of ../shared/peer-bench/queries.mjs that the comparison uses. */
interface PeerDocuments {
  TRIVIAL: string;
  Q1: string;
  Q2: string;
  Q3: string;
}

/** A PostGraphile server run from a peer-bench folder, with its statement counter. */
export interface Peer {
  url: string;
  documents: PeerDocuments;
  /** Statements it has sent since it started. */
  statements(): Promise<number>;
  stop(): void;
}

/** Starts the peer folder's server.mjs on the database, as its README says. */
export async function startPeer(folder: string, database: string, port = 5678): Promise<Peer> {
  const dir = resolve(folder);
  const documents = (await import(pathToFileURL(join(dir, 'queries.mjs')).href)) as PeerDocuments;
  const child: ChildProcess = fork(
    join(dir, 'server.mjs'),
    ['--port', String(port), '--db', database],
    { cwd: dir, env: { ...process.env, NODE_ENV: 'production' }, execArgv: [], stdio: 'ignore' },
  );
  await new Promise<void>((ready, failed) => {
    child.once('exit', (code) => failed(new Error(`the peer server exited (${code})`)));
    child.on('message', (message: { type?: string }) => {
      if (message.type === 'ready') ready();
    });
  });
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    documents,
    statements: () =>
      new Promise((answer) => {
        child.once('message', (message: { queries: number }) => answer(message.queries));
        child.send({ type: 'count' });
      }),
    stop: () => void child.kill('SIGTERM'),
  };
}

/** One request shape, written for each server. */
interface Shape {
  name: string;
  ours: string;
  theirs: string;
  variables: (call: number) => Record<string, unknown>;
}

/** This server's documents for the peer's shapes: the same images, the same fields. */
function shapes(peer: PeerDocuments, q1Base: string, sample: readonly string[]): Shape[] {
  const node = 'id parent { id } layers { chainId }';
  const nest = (levels: number): string =>
    levels === 0 ? node : `${node} children { ${nest(levels - 1)} }`;
  const byId = (call: number) => ({ id: sample[call % sample.length] });
  return [
    { name: '{ __typename }', ours: '{ __typename }', theirs: peer.TRIVIAL, variables: () => ({}) },
    {
      name: 'Q2 shape: one image with parent and children',
      ours: 'query Q2($id: String!) { image(id: $id) { id parent { id } children { id } } }',
      theirs: peer.Q2,
      variables: byId,
    },
    {
      name: 'Q3 shape: 100 images with parent and layers',
      ours: `query Q3 { images(first: 100) { edges { node { ${node} } } } }`,
      theirs: peer.Q3,
      variables: () => ({}),
    },
    {
      name: 'Q1: 5-level subtree with layers',
      ours: `query Q1($id: String!) { image(id: $id) { ${nest(5)} } }`,
      theirs: peer.Q1,
      variables: () => ({ id: q1Base }),
    },
  ];
}

export interface PeerRun {
  ours: { url: string; statements(): Promise<number> };
  peer: Peer;
  q1Base: string;
  sample: readonly string[];
  seconds: number;
}

/**
 * Both servers, one shape at a time, at concurrency 1 and 8, driven by the
 * same client in turn; returns the side-by-side table as Markdown lines.
 */
export async function comparePeer(run: PeerRun): Promise<string[]> {
  const lines = [
    '| request | concurrency | this server req/s | p50 ms | PostGraphile req/s | p50 ms | ' +
      'ratio | SQL/request (this / PostGraphile) | client CPU (this / PostGraphile) |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const shape of shapes(run.peer.documents, run.q1Base, run.sample)) {
    await sameAnswers(run, shape);
    for (const concurrency of [1, 8]) {
      const sides = [
        { url: run.ours.url, query: shape.ours, statements: run.ours.statements },
        { url: run.peer.url, query: shape.theirs, statements: run.peer.statements },
      ];
      const measured = [];
      for (const side of sides) {
        const before = await side.statements();
        const result = await cannonade(side.url, concurrency, run.seconds, (call) =>
          JSON.stringify({ query: side.query, variables: shape.variables(call) }),
        );
        const sent = (await side.statements()) - before;
        if (result.failures > 0) throw new Error(`${shape.name}: ${result.failures} failures`);
        measured.push({ ...result, perRequest: sent / (result.perSecond * run.seconds) });
      }
      const [a, b] = measured as [(typeof measured)[0], (typeof measured)[0]];
      lines.push(
        `| ${shape.name} | ${concurrency} | ${a.perSecond.toFixed(0)} | ${a.p50.toFixed(2)} | ` +
          `${b.perSecond.toFixed(0)} | ${b.p50.toFixed(2)} | **${(a.perSecond / b.perSecond).toFixed(2)}** | ` +
          `${a.perRequest.toFixed(1)} / ${b.perRequest.toFixed(1)} | ` +
          `${percent(a.clientCpu)} / ${percent(b.clientCpu)} |`,
      );
      process.stdout.write('.');
    }
  }
  return lines;
}

/** Both servers answer a shape with the same images, and without errors. */
async function sameAnswers(run: PeerRun, shape: Shape): Promise<void> {
  const counts = [];
  for (const [url, query] of [
    [run.ours.url, shape.ours],
    [run.peer.url, shape.theirs],
  ] as const) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: shape.variables(0) }),
    });
    const answer = (await response.json()) as { data?: unknown; errors?: unknown };
    if (answer.errors) throw new Error(`${shape.name}: ${JSON.stringify(answer.errors)}`);
    counts.push(countImages(renameRowIds(answer.data)));
  }
  if (counts[0] !== counts[1])
    throw new Error(`${shape.name}: ${counts[0]} images here, ${counts[1]} from PostGraphile`);
}

/** PostGraphile names an image's ID rowId and its parent's parentId; counting reads id. */
function renameRowIds(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replaceAll('"rowId":', '"id":')
      .replace(/"parentId":("[^"]*"|null)/g, '"parent":{"id":$1}'),
  );
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
