import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runProcess } from './support/process.js';

const scratch = mkdtempSync(join(tmpdir(), 'imagestore-startup-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Starts the server, expects it to fail, and returns the one line it printed. */
async function failedStart(env: Record<string, string>): Promise<string> {
  const { code, output } = await runProcess({
    IMAGESTORE_DATA_DIR: join(scratch, 'data'),
    DATABASE_URL: '',
    ...env,
  });
  const lines = output
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('server exited'));
  assert.equal(code, 1, output);
  assert.equal(lines.length, 1, `one line, no stack trace:\n${output}`);
  return lines[0]!;
}

describe('startup with a bad environment: one clear line and exit code 1', () => {
  it('when DATABASE_URL points at nothing, then it says so after a bounded retry', async () => {
    const started = Date.now();
    const line = await failedStart({
      DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/imagestore',
    });
    assert.match(
      line,
      /cannot use the database at DATABASE_URL .*127\.0\.0\.1:1.*unset DATABASE_URL/,
    );
    assert.doesNotMatch(line, /secret/);
    assert.ok(Date.now() - started < 30_000);
  });

  it('when DATABASE_URL is not a postgres URL, then it says what it must be', async () => {
    assert.match(
      await failedStart({ DATABASE_URL: 'mysql://localhost/x' }),
      /DATABASE_URL must be a postgres:\/\//,
    );
  });

  it('when the port is taken, then it says which and what to set', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const line = await failedStart({ PORT: String(port) });
      assert.match(
        line,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\); set PORT or HOST`),
      );
    } finally {
      blocker.close();
    }
  });

  it('when PORT is not a port number, then it says so', async () => {
    assert.match(
      await failedStart({ PORT: 'http' }),
      /PORT must be a whole number from 0 to 65535/,
    );
  });

  it('when the data directory cannot be written, then it names it and the setting', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const line = await failedStart({ IMAGESTORE_DATA_DIR: join(file, 'data') });
    assert.match(line, /cannot write the data directory .*a-file\/data .*set IMAGESTORE_DATA_DIR/);
  });
});
