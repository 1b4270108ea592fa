import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startProcess } from '../test/support/process.js';
import { cannonade } from './peer.js';

// `node --import tsx bench/plugin-costs.ts [--seconds 10] [--query '{ __typename }']`:
// runs the real server (production settings, logs on) under a CPU profile, drives
// one request shape at concurrency 8, and shares the server's busy time out among
// the parts of the request path by the code each sample was in.
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    query: { type: 'string', default: '{ __typename }' },
  },
});
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/imagestore_bench';

// Where a sample's code lives, matched in order: the first part that matches takes it.
const PARTS: [string, RegExp][] = [
  ['metrics (prometheus)', /prometheus|prom-client|src\/server\/metrics/],
  ['request log (pino)', /pino|sonic-boom|src\/server\/request-log|^writeString$/],
  ['limits (graphql-armor)', /@escape\.tech/],
  ['cost limit (Pothos complexity)', /plugin-complexity/],
  ['tokens', /src\/server\/auth/],
  ['compiled executor (graphql-jit)', /graphql-jit/],
  ['yoga and envelop', /graphql-yoga|@envelop\/core|@whatwg-node|@graphql-tools/],
  ['graphql-js (parse, validate)', /node_modules\/graphql\//],
  ['schema and resolvers', /src\/schema|@pothos/],
  ['lean path', /src\/server\/lean-path|src\/server\/http-server/],
  ['HTTP and sockets (node)', /node:_http|node:net|^writev$|^writeBuffer$|node:internal\/stream/],
  ['garbage collection', /^\(garbage collector\)$/],
];

const dir = mkdtempSync(join(tmpdir(), 'imagestore-profile-'));
const server = await startProcess(
  { NODE_ENV: 'production', DATABASE_URL: url },
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', 'src/main.ts'],
  undefined,
  { keepOutput: false },
);
const body = JSON.stringify({ query: values.query });
// Warm up (the compiled executor, caches), then measure.
await cannonade(server.url, 8, 2, () => body);
const measured = await cannonade(server.url, 8, Number(values.seconds), () => body);
await server.stop('SIGINT');
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))!;
const shares = attribute(
  JSON.parse(readFileSync(join(dir, file), 'utf8')),
  Number(values.seconds) * 1e6,
);
rmSync(dir, { recursive: true });

console.log(
  `${values.query} at concurrency 8: ${measured.perSecond.toFixed(0)} requests/s, ` +
    `client CPU ${(measured.clientCpu * 100).toFixed(0)}%\n`,
);
console.log('| part of the request path | share of the server busy time |');
console.log('|---|---:|');
for (const [part, share] of shares) console.log(`| ${part} | ${(share * 100).toFixed(1)}% |`);

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
}

/**
 * Each part's share of the samples that were not idle, in the measured window
 * (the last `window` microseconds before the server was stopped, less its
 * shutdown): startup and warm-up are left out.
 */
function attribute(profile: Profile, window: number): [string, number][] {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  const times: number[] = [];
  let at = profile.endTime;
  for (let i = profile.samples.length - 1; i >= 0; i--) {
    times[i] = at;
    at -= profile.timeDeltas[i] ?? 0;
  }
  const [from, to] = [profile.endTime - window - 300_000, profile.endTime - 300_000];
  let busy = 0;
  profile.samples.forEach((id, i) => {
    if (times[i]! < from || times[i]! > to) return;
    const frame = frames.get(id)!;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') return;
    const where = frame.url || frame.functionName;
    const part = PARTS.find(([, pattern]) => pattern.test(where))?.[0] ?? 'other';
    const time = profile.timeDeltas[i] ?? 0;
    totals.set(part, (totals.get(part) ?? 0) + time);
    busy += time;
  });
  return [...totals]
    .map(([part, time]) => [part, time / busy] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}
