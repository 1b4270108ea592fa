import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { verifyStore } from '../../src/store/verify.js';
import { type Cluster, startCluster } from '../support/cluster.js';
import { type ServerProcess, startProcess } from '../support/process.js';
import { checkHistory, type Entry } from './history.js';
import { perform, seededRandom, Workload } from './workload.js';

/** How a chaos run is shaped. */
export interface ChaosOptions {
  seconds: number;
  seed: number;
  clients: number;
}

/** A fault injected, and how long until the server answered a read again. */
export interface Fault {
  kind: FaultKind;
  atMs: number;
  recoveryMs: number;
}

/** What a run did and what it found wrong. */
export interface ChaosReport extends ChaosOptions {
  operations: number;
  outcomes: Record<string, number>;
  faults: Fault[];
  slowestMs: number;
  problems: string[];
}

type FaultKind = 'terminate-backends' | 'restart-database' | 'kill-server';
const FAULT_KINDS: FaultKind[] = ['terminate-backends', 'restart-database', 'kill-server'];

/** The server's setting for how long a request waits for the database. */
const DATABASE_TIMEOUT_S = 2;
/** No request may go unanswered longer than this: the timeout, and a second for the rest. */
export const FAIL_FAST_MS = DATABASE_TIMEOUT_S * 1000 + 1000;
/** A fault every this many seconds. */
const FAULT_EVERY_S = 6;
const PROBE = '{ images(first: 1) { totalCount } }';

/**
 * Runs the server on a PostgreSQL cluster of its own with concurrent clients
 * sending a seeded random mix of every mutation and reads, while faults are
 * injected: backends terminated, the database restarted, the server killed
 * with SIGKILL and started again. Then checks the whole history and the store.
 */
export async function runChaos({ seconds, seed, clients }: ChaosOptions): Promise<ChaosReport> {
  const cluster = await startCluster();
  const env = {
    DATABASE_URL: cluster.url,
    IMAGESTORE_DATABASE_TIMEOUT: String(DATABASE_TIMEOUT_S),
    LOG_LEVEL: 'warn',
  };
  let server = await startProcess(env);
  const outputs = [server.output];
  try {
    const port = new URL(server.url).port;
    const entries: Entry[] = [];
    const workload = new Workload(seed);
    let running = true;
    const traffic = Array.from({ length: clients }, async (_, client) => {
      const random = seededRandom(seed + 7919 * (client + 1));
      while (running) {
        const op = workload.next(random);
        const start = performance.now();
        const outcome = await perform(server.url, op, FAIL_FAST_MS * 10);
        entries.push({ client, op, start, end: performance.now(), outcome });
        workload.learn(op, outcome);
        // The server is down: do not spin while it starts again.
        if (outcome.kind === 'none') await sleep(25);
      }
    });

    const random = seededRandom(seed);
    const began = performance.now();
    const faults: Fault[] = [];
    for (
      let n = random.below(3);
      performance.now() - began + FAULT_EVERY_S * 1000 < seconds * 1000;
      n++
    ) {
      await sleep(FAULT_EVERY_S * 1000 * (0.5 + random.next()));
      const kind = FAULT_KINDS[n % FAULT_KINDS.length]!;
      const at = performance.now();
      if (kind === 'kill-server') {
        server = await restartServer(server, { ...env, PORT: port });
        outputs.push(server.output);
      } else {
        await injectDatabaseFault(cluster, kind);
      }
      faults.push({
        kind,
        atMs: Math.round(at - began),
        recoveryMs: Math.round((await untilServing(server.url)) - at),
      });
    }
    await sleep(Math.max(0, seconds * 1000 - (performance.now() - began)));
    running = false;
    await Promise.all(traffic);

    const problems = [
      ...(await checkStore(cluster, entries)),
      ...unexpectedLines(outputs.map((output) => output())),
    ];
    if (server.child.exitCode !== null)
      problems.push(`the server exited by itself with ${server.child.exitCode}`);
    const outcomes: Record<string, number> = {};
    for (const { op, outcome } of entries) {
      const key = `${op.kind} ${outcome.kind === 'error' ? outcome.codes.join('+') : outcome.kind}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    const slowestMs = Math.round(Math.max(0, ...entries.map((entry) => entry.end - entry.start)));
    return {
      seconds,
      seed,
      clients,
      operations: entries.length,
      outcomes,
      faults,
      slowestMs,
      problems,
    };
  } finally {
    if (server.child.exitCode === null) await server.stop('SIGKILL');
    await cluster.remove();
  }
}

async function restartServer(
  server: ServerProcess,
  env: Record<string, string>,
): Promise<ServerProcess> {
  await server.stop('SIGKILL');
  return startProcess(env);
}

async function injectDatabaseFault(
  cluster: Cluster,
  kind: Exclude<FaultKind, 'kill-server'>,
): Promise<void> {
  if (kind === 'restart-database') return cluster.restart();
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    await admin`select pg_terminate_backend(pid) from pg_stat_activity
                where backend_type = 'client backend' and pid <> pg_backend_pid()`;
  } finally {
    await admin.end();
  }
}

/** When the server next answers a read without errors. */
async function untilServing(url: string): Promise<number> {
  for (;;) {
    const outcome = await perform(url, { kind: 'read', id: null, query: PROBE }, FAIL_FAST_MS);
    if (outcome.kind === 'ok') return performance.now();
    await sleep(10);
  }
}

/** The history against the stored images, and the store's own checks. */
async function checkStore(cluster: Cluster, entries: Entry[]): Promise<string[]> {
  const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<
      { id: string; rawConfig: string }[]
    >`select id, raw_config as "rawConfig" from images`;
    const final = new Map(rows.map((row) => [row.id, row.rawConfig]));
    return [
      ...checkHistory(entries, final, FAIL_FAST_MS),
      ...(await verifyStore(sql)).map((line) => `verify: ${line}`),
    ];
  } finally {
    await sql.end();
  }
}

/** Log lines of unexpected errors (level 50 and above) from every server process. */
function unexpectedLines(outputs: string[]): string[] {
  return outputs
    .flatMap((output) => output.split('\n'))
    .filter((line) => levelOf(line) >= 50)
    .map((line) => `server logged: ${line.slice(0, 500)}`);
}

/** A JSON log line's level; 0 for other output, and for a line cut short by SIGKILL. */
function levelOf(line: string): number {
  try {
    return line.startsWith('{') ? Number(JSON.parse(line).level) || 0 : 0;
  } catch {
    return 0;
  }
}

/** A readable summary of a report. */
export function describeReport(report: ChaosReport): string {
  const recoveries = report.faults.map(
    (fault) => `${fault.kind} at ${fault.atMs} ms: answering again after ${fault.recoveryMs} ms`,
  );
  return [
    `chaos: seed ${report.seed}, ${report.seconds} s, ${report.clients} clients, ` +
      `${report.operations} requests, slowest ${report.slowestMs} ms`,
    ...recoveries.map((line) => `  fault: ${line}`),
    ...Object.entries(report.outcomes)
      .sort()
      .map(([key, count]) => `  ${key}: ${count}`),
    report.problems.length === 0
      ? 'chaos: no problems found'
      : `chaos: ${report.problems.length} problems:`,
    ...report.problems.slice(0, 50).map((problem) => `  ${problem}`),
  ].join('\n');
}

// `npm run chaos -- --seconds N --seed S --clients C`
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { seconds: { type: 'string' }, seed: { type: 'string' }, clients: { type: 'string' } },
  });
  const seed = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`chaos: seed ${seed} (replay with --seed ${seed})`);
  const report = await runChaos({
    seconds: Number(values.seconds ?? 60),
    seed,
    clients: Number(values.clients ?? 16),
  });
  console.log(describeReport(report));
  process.exitCode = report.problems.length === 0 ? 0 : 1;
}
