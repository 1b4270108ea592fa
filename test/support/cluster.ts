import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian keeps PostgreSQL's server programs: the newest version there. */
function serverBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((name) =>
    existsSync(join(root, name, 'bin', 'pg_ctl')),
  );
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? null : join(root, newest, 'bin');
}

/** Why a private cluster cannot run here, or null when it can. */
export function clusterUnavailable(): string | null {
  return serverBin() === null ? 'no PostgreSQL server programs under /usr/lib/postgresql' : null;
}

/** A PostgreSQL cluster of a test's own, which it may stop and restart at will. */
export interface Cluster {
  /** A URL of its `postgres` database, for the superuser. */
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops (fast: sessions are ended) and starts again. */
  restart(): Promise<void>;
  /** Stops it and removes its files. */
  remove(): Promise<void>;
}

/**
 * initdb into a temporary folder and pg_ctl start on a free loopback port.
 * PostgreSQL refuses to run as root: then its programs run as the postgres
 * user, in a folder that user owns.
 */
export async function startCluster(): Promise<Cluster> {
  const bin = serverBin();
  if (bin === null) throw new Error(clusterUnavailable()!);
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'imagestore-cluster-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout);
    chownSync(dir, await id('-u'), await id('-g'));
    chmodSync(dir, 0o700);
  }
  const pg = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);
  await pg('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const port = await freePort();
  const options = [
    `-p ${port} -k ${dir}`,
    '-c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60',
  ].join(' ');
  const ctl = (...args: string[]) =>
    pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', ...args]);
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => void (await ctl('-o', options, 'start')),
    stop: async () => void (await ctl('-m', 'fast', 'stop')),
    restart: async () => void (await ctl('-m', 'fast', '-o', options, 'restart')),
    async remove() {
      await cluster.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}

/** A loopback port that nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
