import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

// patches/postgres+3.4.9.patch, applied by `npm ci` (postinstall: patch-package), keeps a
// connection that closes under a buffered write from crashing the process
// (porsager/postgres#1154, #1208), and keeps every answer with its own query
// when the database drops a connection mid-answer (porsager/postgres#1119,
// #1181, and state left over between two sessions of one connection). Drop it
// when a release carries the fixes.
describe('the database driver', () => {
  it('when installed, then it has the closed-socket write fix and the answer-pairing fixes', () => {
    // The package's main entry is cjs/src/index.js: its root is three levels up.
    const root = dirname(dirname(dirname(createRequire(import.meta.url).resolve('postgres'))));
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    assert.equal(
      version,
      '3.4.9',
      'the patch is for 3.4.9: check whether the new version still needs it',
    );
    // Both copies: ESM imports load src/, require() loads cjs/src/.
    for (const copy of [join(root, 'src'), join(root, 'cjs', 'src')]) {
      const connection = readFileSync(join(copy, 'connection.js'), 'utf8');
      assert.match(connection, /The connection closed before this write went out/);
      // What keeps answers with their questions across a dropped connection
      // (test/driver-answers.test.ts).
      assert.match(connection, /The answer being read died with the socket/);
      assert.match(connection, /Between two sessions/);
    }
  });
});
