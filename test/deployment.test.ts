import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { readConfig } from '../src/config.js';
import { startProcess } from './support/process.js';

// Docker cannot run here: these tests read docker-compose.yml and the Dockerfile and
// check them against the server itself.
const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const compose = parse(read('docker-compose.yml'));
const dockerfile = read('Dockerfile');
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const instructions = (stage: string, name: string) =>
  stage
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1).trim());

/** The environment variables the server reads, found by watching readConfig read them. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  readConfig(
    new Proxy(
      {},
      {
        get: (_target, name) => {
          names.add(String(name));
          return undefined;
        },
      },
    ),
  );
  return names;
}

describe('docker-compose.yml and the Dockerfile agree with the server', () => {
  const db = compose.services.postgres;
  const app = compose.services.imagestore;

  it('when compose runs postgres, then it is official, with a named volume and healthcheck', () => {
    assert.match(db.image, /^postgres:\d+/);
    const [volume] = db.volumes[0].split(':');
    assert.ok(volume in compose.volumes, `volume ${volume} is declared`);
    assert.ok(db.healthcheck.test.join(' ').includes('pg_isready'));
  });

  it('when compose runs the server, then it is built here, awaits the db, has DATABASE_URL', () => {
    assert.equal(app.build, '.');
    assert.equal(app.depends_on.postgres.condition, 'service_healthy');
    const url = new URL(app.environment.DATABASE_URL);
    assert.equal(url.hostname, 'postgres');
    assert.equal(url.username, db.environment.POSTGRES_USER);
    assert.equal(url.password, db.environment.POSTGRES_PASSWORD);
    assert.equal(url.pathname, `/${db.environment.POSTGRES_DB}`);
  });

  it('when compose and the Dockerfile set variables, then the server reads each of them', () => {
    const read = variablesRead();
    const envLine = instructions(finalStage, 'ENV').join(' ');
    const dockerVars = [...envLine.matchAll(/([A-Z_]+)=/g)]
      .map((m) => m[1]!)
      .filter((name) => name !== 'NODE_ENV');
    for (const name of [...Object.keys(app.environment), ...dockerVars])
      assert.ok(read.has(name), name);
  });

  it('when compose runs a second instance, then it is the same server on the same database, published on its own port', () => {
    const second = compose.services['imagestore-2'];
    assert.equal(second.build, app.build);
    assert.deepEqual(second.environment, app.environment);
    assert.deepEqual(second.depends_on, app.depends_on);
    assert.deepEqual(second.ports, [`4001:${app.environment.PORT}`]);
  });

  it('when the port is published, then the server listens on it and the image exposes it', () => {
    const port = app.environment.PORT;
    assert.deepEqual(app.ports, [`${port}:${port}`]);
    assert.deepEqual(instructions(finalStage, 'EXPOSE'), [port]);
    assert.equal(String(readConfig({}).port), port);
    assert.equal(app.environment.HOST, '0.0.0.0', 'reachable from outside the container');
  });

  it('when the image is built, then it has a build stage and a non-root production stage', () => {
    assert.ok(instructions(dockerfile, 'FROM').length >= 2, 'multi-stage');
    assert.ok(
      instructions(finalStage, 'RUN').some((run) => run.includes('npm ci --omit=dev')),
      'production dependencies only',
    );
    const [user] = instructions(finalStage, 'USER');
    assert.ok(user && user !== 'root' && user !== '0', `USER ${user}`);
  });

  it('when the image installs dependencies, then the driver patches are there first', () => {
    for (const stage of dockerfile.split('\nFROM ').slice(1)) {
      const lines = stage.split('\n');
      const patches = lines.findIndex((line) => line.startsWith('COPY patches'));
      const install = lines.findIndex((line) => /RUN npm ci/.test(line));
      assert.ok(patches >= 0 && patches < install, 'COPY patches comes before npm ci');
    }
  });

  it("when the image's start command runs the build output, then the server serves", async () => {
    const [cmd] = instructions(finalStage, 'CMD');
    const argv = JSON.parse(cmd!) as string[];
    assert.equal(argv[0], 'node');
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    const dataDir = mkdtempSync(join(tmpdir(), 'imagestore-dist-'));
    try {
      const server = await startProcess(
        { DATABASE_URL: '', IMAGESTORE_DATA_DIR: dataDir },
        argv.slice(1),
      );
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ images { totalCount } }' }),
      });
      assert.deepEqual(await response.json(), { data: { images: { totalCount: 0 } } });
      assert.equal(await server.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
