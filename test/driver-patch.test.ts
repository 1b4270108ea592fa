import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

// patches/postgres+3.4.9.patch, applied by `npm ci` (postinstall: patch-package), keeps a
// connection that closes under a buffered write from crashing the process
// (porsager/postgres#1154, #1208). Drop it when a release carries a fix.
describe('the database driver', () => {
  it('when installed, then it carries the closed-socket write fix', () => {
    // The package's main entry is cjs/src/index.js: its root is three levels up.
    const root = dirname(dirname(dirname(createRequire(import.meta.url).resolve('postgres'))));
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    assert.equal(version, '3.4.9', 'the patch is for 3.4.9: check whether the new version still needs it');
    const connection = readFileSync(join(root, 'src', 'connection.js'), 'utf8');
    assert.match(connection, /The connection closed before this write went out/);
  });
});
