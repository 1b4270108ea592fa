// Cases from reading distribution/reference's tests (normalize, reference, regexp); our own table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidReferenceError } from '../src/domain/errors.js';
import {
  familiarRepository,
  familiarString,
  parseReference,
  type Reference,
  referenceString,
  repositoryName,
  withDefaultTag,
} from '../src/domain/reference.js';

const F64 = 'f'.repeat(64);
const SHA256 = `sha256:${F64}`;
const SHA384 = `sha384:${'f'.repeat(96)}`;
const SHA512 = `sha512:${'f'.repeat(128)}`;
const HEX64 = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';
const a = (n: number) => 'a'.repeat(n);

/** An input as a test name can show it: long runs of one character are counted. */
const show = (input: string) =>
  JSON.stringify(input).replace(/(.)\1{11,}/g, (run, c) => `${c}×${run.length}`);

interface Accepted {
  input: string;
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
  /** familiarString of the result, as `docker images` would show it. */
  familiar: string;
}

/** Parses, and checks every field and both string forms. */
function checkAccepted(c: Accepted): void {
  const expected: Reference = {
    domain: c.domain,
    path: c.path,
    tag: c.tag ?? null,
    digest: c.digest ?? null,
  };
  const parsed = parseReference(c.input);
  assert.deepEqual(parsed, expected);
  assert.equal(familiarString(parsed), c.familiar);
  // The full form always reads back as the same reference (ParseNamed's canonical check).
  assert.deepEqual(parseReference(referenceString(parsed)), expected);
  // So does the familiar form, unless it is 64 hex digits, which a name may not be.
  if (!/^[a-f0-9]{64}$/.test(c.familiar)) assert.deepEqual(parseReference(c.familiar), expected);
}

function accepts(cases: Accepted[]): void {
  for (const c of cases) {
    const full = `${c.domain}/${c.path}${c.tag ? `:${c.tag}` : ''}${c.digest ? '@…' : ''}`;
    test(`when ${show(c.input)} is parsed, then it is ${show(full)}`, () => checkAccepted(c));
  }
}

/** [input, why it is refused, what the message must say]. */
type Refused = [input: string, why: string, reason: RegExp];

function refuses(cases: Refused[]): void {
  for (const [input, why, reason] of cases) {
    test(`when ${show(input)} is parsed, then it is refused: ${why}`, () => {
      assert.throws(
        () => parseReference(input),
        (error: unknown) =>
          error instanceof InvalidReferenceError &&
          error.code === 'INVALID_REFERENCE' &&
          error.message.includes(JSON.stringify(input)) &&
          reason.test(error.message),
      );
    });
  }
}

// What each refusal's message says.
const EMPTY = /empty/;
const UPPER = /must be lowercase/;
const COMPONENT = /each component of the repository name/;
const HOST = /is not a registry host/;
const TAG = /the tag/;
const DIGEST = /the digest/;
const ID = /image ID/;
const LONG = /longer than 255/;

describe('reference names', () => {
  accepts([
    {
      input: 'docker/docker',
      domain: 'docker.io',
      path: 'docker/docker',
      familiar: 'docker/docker',
    },
    { input: 'd/docker', domain: 'docker.io', path: 'd/docker', familiar: 'd/docker' },
    { input: 'jess/t', domain: 'docker.io', path: 'jess/t', familiar: 'jess/t' },
    {
      input: 'docker-rules/docker',
      domain: 'docker.io',
      path: 'docker-rules/docker',
      familiar: 'docker-rules/docker',
    },
    {
      input: 'docker---rules/docker',
      domain: 'docker.io',
      path: 'docker---rules/docker',
      familiar: 'docker---rules/docker',
    },
    {
      input: 'dock__er/docker',
      domain: 'docker.io',
      path: 'dock__er/docker',
      familiar: 'dock__er/docker',
    },
    { input: 'test_com', domain: 'docker.io', path: 'library/test_com', familiar: 'test_com' },
    { input: 'test_com/foo', domain: 'docker.io', path: 'test_com/foo', familiar: 'test_com/foo' },
    {
      input: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      domain: 'docker.io',
      path: 'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      familiar: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    },
    {
      input: 'registry.io/foo/project--id.module--name.ver---sion--name',
      domain: 'registry.io',
      path: 'foo/project--id.module--name.ver---sion--name',
      familiar: 'registry.io/foo/project--id.module--name.ver---sion--name',
    },
    {
      input: 'example.com/some_separator__underscore/myimage',
      domain: 'example.com',
      path: 'some_separator__underscore/myimage',
      familiar: 'example.com/some_separator__underscore/myimage',
    },
    {
      input: 'b.gcr.io/test.example.com/my-app',
      domain: 'b.gcr.io',
      path: 'test.example.com/my-app',
      familiar: 'b.gcr.io/test.example.com/my-app',
    },
    {
      input: 'sub-dom1.foo.com/bar/baz/quux',
      domain: 'sub-dom1.foo.com',
      path: 'bar/baz/quux',
      familiar: 'sub-dom1.foo.com/bar/baz/quux',
    },
    { input: 'xn--n3h.com/foo', domain: 'xn--n3h.com', path: 'foo', familiar: 'xn--n3h.com/foo' },
    { input: 'aa-a/a', domain: 'docker.io', path: 'aa-a/a', familiar: 'aa-a/a' },
  ]);
  refuses([
    ['', 'it is empty', EMPTY],
    ['https://github.com/docker/docker', 'a URL is not a name', EMPTY],
    ['aa/asdf$$^/aa', '$ and ^ are not name characters', COMPONENT],
    ['docker/Docker', 'the path has an uppercase letter', UPPER],
    ['docker.io/docker/Docker', 'the path has an uppercase letter', UPPER],
    ['Uppercase:tag', 'a one-component name is a path, and uppercase', UPPER],
    ['Foo/FarB', 'the path after the uppercase registry is uppercase', UPPER],
    ['test:5000/Uppercase/lowercase:tag', 'the path has an uppercase letter', UPPER],
    ['-docker', 'a component may not start with a dash', COMPONENT],
    ['-docker/docker', 'a component may not start with a dash', COMPONENT],
    ['docker-/docker', 'a component may not end with a dash', COMPONENT],
    ['-docker-/docker', 'a component may not start or end with a dash', COMPONENT],
    ['foo/-bar', 'a component may not start with a dash', COMPONENT],
    ['foo/bar-', 'a component may not end with a dash', COMPONENT],
    ['____/____', 'underscores only separate', COMPONENT],
    ['_docker/_docker', 'a component may not start with an underscore', COMPONENT],
    ['docker_/docker_', 'a component may not end with an underscore', COMPONENT],
    ['foo___bar/x', 'three underscores are not a separator', COMPONENT],
    ['example.com/__underscore/myimage', 'a component may not start with __', COMPONENT],
    ['dock..er/docker', 'with a period it is a host, and .. is no host', HOST],
    ['dock_.er/docker', 'with a period it is a host, and _ is no host character', HOST],
    ['dock-.er/docker', 'with a period it is a host, and a label may not end in -', HOST],
    ['docker/dock..er', 'two periods are not a separator', COMPONENT],
    ['docker/dock_.er', 'underscore then period is not a separator', COMPONENT],
    ['example.com/.dots/myimage', 'a component may not start with a period', COMPONENT],
    ['example.com/nodouble..dots/myimage', 'two periods are not a separator', COMPONENT],
    ['docker///docker', 'a component is empty', EMPTY],
    ['docker.io/docker///docker', 'a component is empty', EMPTY],
    ['a//a/a', 'a component is empty', EMPTY],
    ['docker/', 'the repository is missing', EMPTY],
    ['foo.com/', 'the repository is missing', EMPTY],
    ['a/a/a/a/', 'the last component is empty', EMPTY],
  ]);
});

describe('reference registries', () => {
  accepts([
    {
      input: 'localhost/debian',
      domain: 'localhost',
      path: 'debian',
      familiar: 'localhost/debian',
    },
    {
      input: 'localhost/library/debian',
      domain: 'localhost',
      path: 'library/debian',
      familiar: 'localhost/library/debian',
    },
    {
      input: 'localhost:5000/x',
      domain: 'localhost:5000',
      path: 'x',
      familiar: 'localhost:5000/x',
    },
    {
      input: 'LOCALDOMAIN/debian',
      domain: 'LOCALDOMAIN',
      path: 'debian',
      familiar: 'LOCALDOMAIN/debian',
    },
    { input: 'Foo/bar', domain: 'Foo', path: 'bar', familiar: 'Foo/bar' },
    { input: 'FOO/bar', domain: 'FOO', path: 'bar', familiar: 'FOO/bar' },
    {
      input: 'Asdf.com/foo/bar',
      domain: 'Asdf.com',
      path: 'foo/bar',
      familiar: 'Asdf.com/foo/bar',
    },
    { input: 'test:5000/repo', domain: 'test:5000', path: 'repo', familiar: 'test:5000/repo' },
    {
      input: 'test-com:8080/foo',
      domain: 'test-com:8080',
      path: 'foo',
      familiar: 'test-com:8080/foo',
    },
    {
      input: 'xn--n3h.com:18080/foo',
      domain: 'xn--n3h.com:18080',
      path: 'foo',
      familiar: 'xn--n3h.com:18080/foo',
    },
    {
      input: 'example.com:8000/private/moonbase',
      domain: 'example.com:8000',
      path: 'private/moonbase',
      familiar: 'example.com:8000/private/moonbase',
    },
    {
      input: '127.0.0.1:5000/docker/docker',
      domain: '127.0.0.1:5000',
      path: 'docker/docker',
      familiar: '127.0.0.1:5000/docker/docker',
    },
    {
      input: '192.168.0.1:8/debian',
      domain: '192.168.0.1:8',
      path: 'debian',
      familiar: '192.168.0.1:8/debian',
    },
    {
      input: '192.168.1.1/repo',
      domain: '192.168.1.1',
      path: 'repo',
      familiar: '192.168.1.1/repo',
    },
    // With no slash, a host-like string is a repository name, and a port is a tag.
    {
      input: '192.168.0.1',
      domain: 'docker.io',
      path: 'library/192.168.0.1',
      familiar: '192.168.0.1',
    },
    {
      input: '192.168.0.1:80',
      domain: 'docker.io',
      path: 'library/192.168.0.1',
      tag: '80',
      familiar: '192.168.0.1:80',
    },
    {
      input: 'test.com:5000',
      domain: 'docker.io',
      path: 'library/test.com',
      tag: '5000',
      familiar: 'test.com:5000',
    },
    {
      input: 'foo_bar.com:8080',
      domain: 'docker.io',
      path: 'library/foo_bar.com',
      tag: '8080',
      familiar: 'foo_bar.com:8080',
    },
    {
      input: 'foo/foo_bar.com:8080',
      domain: 'docker.io',
      path: 'foo/foo_bar.com',
      tag: '8080',
      familiar: 'foo/foo_bar.com:8080',
    },
    {
      input: '[fc00::1]:5000/docker',
      domain: '[fc00::1]:5000',
      path: 'docker',
      familiar: '[fc00::1]:5000/docker',
    },
    {
      input: '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
      domain: '[fc00:1:2:3:4:5:6:7]:5000',
      path: 'library/debian',
      familiar: '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    },
    {
      input: '[2001:db8::1]/repo',
      domain: '[2001:db8::1]',
      path: 'repo',
      familiar: '[2001:db8::1]/repo',
    },
    {
      input: '[2001:db8::]:5000/repo',
      domain: '[2001:db8::]:5000',
      path: 'repo',
      familiar: '[2001:db8::]:5000/repo',
    },
    { input: '[::1]:5000/repo', domain: '[::1]:5000', path: 'repo', familiar: '[::1]:5000/repo' },
  ]);
  refuses([
    ['-docker.io/docker/docker', 'a host label may not start with a dash', HOST],
    ['-ab.com/x', 'a host label may not start with a dash', HOST],
    ['ab-.com/x', 'a host label may not end with a dash', HOST],
    ['ab.-com/x', 'a host label may not start with a dash', HOST],
    ['ab.com-/x', 'a host label may not end with a dash', HOST],
    ['docker./docker', 'a host may not end with a period', HOST],
    ['.docker/docker', 'a host may not start with a period', HOST],
    ['foo.com:http/bar', 'a port is digits', HOST],
    ['do__cker:8080/docker', 'a host has no underscores', HOST],
    ['foo_bar.com:8080/app', 'a host has no underscores', HOST],
    ['bad_hostname.com:8080/myapp:tag', 'a host has no underscores', HOST],
    ['[fc00::1]', 'with no slash, "1]" after the last colon is a tag, and no tag', TAG],
    [
      '[fc00::1]:5000',
      'with no slash, "[fc00::1]" is a repository name, and brackets are no name',
      COMPONENT,
    ],
    [
      '[2001:db8::1]:tag',
      'with no slash, "[2001:db8::1]" is a repository name, and none',
      COMPONENT,
    ],
    ['fc00::1:5000/debian', 'an IPv6 host needs brackets', HOST],
    ['[fe80::1%eth0]:5000/debian', 'an IPv6 zone is not allowed', HOST],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'an IPv4-mapped IPv6 host is not allowed', HOST],
  ]);
});

describe('reference normalization', () => {
  accepts([
    { input: 'ubuntu', domain: 'docker.io', path: 'library/ubuntu', familiar: 'ubuntu' },
    { input: 'library/debian', domain: 'docker.io', path: 'library/debian', familiar: 'debian' },
    { input: 'docker.io/debian', domain: 'docker.io', path: 'library/debian', familiar: 'debian' },
    {
      input: 'docker.io/library/debian',
      domain: 'docker.io',
      path: 'library/debian',
      familiar: 'debian',
    },
    { input: 'index.docker.io/x', domain: 'docker.io', path: 'library/x', familiar: 'x' },
    {
      input: 'index.docker.io/docker/docker',
      domain: 'docker.io',
      path: 'docker/docker',
      familiar: 'docker/docker',
    },
    {
      input: 'index.docker.io/library/ubuntu-12.04-base',
      domain: 'docker.io',
      path: 'library/ubuntu-12.04-base',
      familiar: 'ubuntu-12.04-base',
    },
    {
      input: 'docker.io/library/a/b',
      domain: 'docker.io',
      path: 'library/a/b',
      familiar: 'library/a/b',
    },
    {
      input: 'store/foo/bar',
      domain: 'docker.io',
      path: 'store/foo/bar',
      familiar: 'store/foo/bar',
    },
    {
      input: 'other/library',
      domain: 'docker.io',
      path: 'other/library',
      familiar: 'other/library',
    },
    { input: 'acme/api', domain: 'docker.io', path: 'acme/api', familiar: 'acme/api' },
    { input: 'docker.io/acme/api', domain: 'docker.io', path: 'acme/api', familiar: 'acme/api' },
    // Only Docker Hub gets library/: another registry keeps a one-component path as it is.
    {
      input: 'example.com/privatebase',
      domain: 'example.com',
      path: 'privatebase',
      familiar: 'example.com/privatebase',
    },
    {
      input: 'gcr.io/library/busybox',
      domain: 'gcr.io',
      path: 'library/busybox',
      familiar: 'gcr.io/library/busybox',
    },
    // 64 hex digits are a name when a registry comes first, or when there are 63.
    { input: `docker.io/${HEX64}`, domain: 'docker.io', path: `library/${HEX64}`, familiar: HEX64 },
    {
      input: HEX64.slice(1),
      domain: 'docker.io',
      path: `library/${HEX64.slice(1)}`,
      familiar: HEX64.slice(1),
    },
    {
      input: `${HEX64}:latest`,
      domain: 'docker.io',
      path: `library/${HEX64}`,
      tag: 'latest',
      familiar: `${HEX64}:latest`,
    },
  ]);
  refuses([
    [HEX64, 'it is an image ID, not a name', ID],
    [HEX64.toUpperCase(), 'not an ID (uppercase), and a name must be lowercase', UPPER],
  ]);
});

describe('reference tags', () => {
  accepts([
    {
      input: 'test.com:tag',
      domain: 'docker.io',
      path: 'library/test.com',
      tag: 'tag',
      familiar: 'test.com:tag',
    },
    {
      input: 'lowercase:Uppercase',
      domain: 'docker.io',
      path: 'library/lowercase',
      tag: 'Uppercase',
      familiar: 'lowercase:Uppercase',
    },
    {
      input: 'test:5000/repo:tag',
      domain: 'test:5000',
      path: 'repo',
      tag: 'tag',
      familiar: 'test:5000/repo:tag',
    },
    {
      input: 'test.com:8000/foo:TAG5',
      domain: 'test.com:8000',
      path: 'foo',
      tag: 'TAG5',
      familiar: 'test.com:8000/foo:TAG5',
    },
    {
      input: 'b.gcr.io/test.example.com/my-app:test.example.com',
      domain: 'b.gcr.io',
      path: 'test.example.com/my-app',
      tag: 'test.example.com',
      familiar: 'b.gcr.io/test.example.com/my-app:test.example.com',
    },
    {
      input: '192.168.1.1:5000/repo:5050',
      domain: '192.168.1.1:5000',
      path: 'repo',
      tag: '5050',
      familiar: '192.168.1.1:5000/repo:5050',
    },
    {
      input: '[2001:db8::1]:5000/repo:tag',
      domain: '[2001:db8::1]:5000',
      path: 'repo',
      tag: 'tag',
      familiar: '[2001:db8::1]:5000/repo:tag',
    },
    { input: 'foo:_x', domain: 'docker.io', path: 'library/foo', tag: '_x', familiar: 'foo:_x' },
    {
      input: `foo:${a(128)}`,
      domain: 'docker.io',
      path: 'library/foo',
      tag: a(128),
      familiar: `foo:${a(128)}`,
    },
  ]);
  refuses([
    [':justtag', 'there is no name before the tag', EMPTY],
    ['foo:', 'the tag is empty', TAG],
    ['foo:-x', 'a tag may not start with a dash', TAG],
    ['foo:.x', 'a tag may not start with a period', TAG],
    [`foo:${a(129)}`, 'a tag is at most 128 characters', TAG],
    ['registry.com:8080/myapp:invalid~tag', '~ is not a tag character', TAG],
    ['foo:a:b', 'the last colon starts the tag, and "foo:a" is no name', COMPONENT],
  ]);
});

describe('reference digests', () => {
  accepts([
    {
      input: `redis@${SHA256}`,
      domain: 'docker.io',
      path: 'library/redis',
      digest: SHA256,
      familiar: `redis@${SHA256}`,
    },
    {
      input: `dmcgowan/myapp@${SHA256}`,
      domain: 'docker.io',
      path: 'dmcgowan/myapp',
      digest: SHA256,
      familiar: `dmcgowan/myapp@${SHA256}`,
    },
    {
      input: `busybox:latest@${SHA256}`,
      domain: 'docker.io',
      path: 'library/busybox',
      tag: 'latest',
      digest: SHA256,
      familiar: `busybox:latest@${SHA256}`,
    },
    {
      input: `test:5000/repo:tag@${SHA256}`,
      domain: 'test:5000',
      path: 'repo',
      tag: 'tag',
      digest: SHA256,
      familiar: `test:5000/repo:tag@${SHA256}`,
    },
    {
      input: `xn--7o8h.com/myimage:xn--7o8h.com@${SHA256}`,
      domain: 'xn--7o8h.com',
      path: 'myimage',
      tag: 'xn--7o8h.com',
      digest: SHA256,
      familiar: `xn--7o8h.com/myimage:xn--7o8h.com@${SHA256}`,
    },
    {
      input: `[2001:db8::1]:5000/repo@${SHA256}`,
      domain: '[2001:db8::1]:5000',
      path: 'repo',
      digest: SHA256,
      familiar: `[2001:db8::1]:5000/repo@${SHA256}`,
    },
    // With no slash, localhost is a repository name and its port a tag.
    {
      input: `localhost:8080@${SHA256}`,
      domain: 'docker.io',
      path: 'library/localhost',
      tag: '8080',
      digest: SHA256,
      familiar: `localhost:8080@${SHA256}`,
    },
    {
      input: `localhost@${SHA256}`,
      domain: 'docker.io',
      path: 'library/localhost',
      digest: SHA256,
      familiar: `localhost@${SHA256}`,
    },
    {
      input: `foo@${SHA384}`,
      domain: 'docker.io',
      path: 'library/foo',
      digest: SHA384,
      familiar: `foo@${SHA384}`,
    },
    {
      input: `foo@${SHA512}`,
      domain: 'docker.io',
      path: 'library/foo',
      digest: SHA512,
      familiar: `foo@${SHA512}`,
    },
    // sha256:<hex> alone is a name and a tag here; ParseAnyReference, not ours, reads a digest.
    { input: SHA256, domain: 'docker.io', path: 'library/sha256', tag: F64, familiar: SHA256 },
  ]);
  refuses([
    [`@${SHA256}`, 'there is no name before the digest', EMPTY],
    [`repo@sha256:${'f'.repeat(34)}`, 'sha256 is 64 hex digits', DIGEST],
    [`foo@sha256:${'f'.repeat(63)}`, 'sha256 is 64 hex digits', DIGEST],
    [`foo@sha256:${'f'.repeat(65)}`, 'sha256 is 64 hex digits', DIGEST],
    [`foo@sha512:${F64}`, 'sha512 is 128 hex digits', DIGEST],
    ['registry.com:8080/myapp@sha256:badbadbadbad', 'the hex is too short', DIGEST],
    [`foo@sha256:${'F'.repeat(64)}`, 'the hex must be lowercase', DIGEST],
    [`foo@SHA256:${F64}`, 'the algorithm is lowercase', DIGEST],
    [`validname@invaliddigest:${F64}`, 'the algorithm is unknown', DIGEST],
    [`foo@md5:${'f'.repeat(32)}`, 'md5 is not an algorithm Docker verifies', DIGEST],
    ['registry.com:8080/myapp@bad', 'a digest has an algorithm and hex', DIGEST],
    ['registry.com:8080/myapp@2bad', 'a digest has an algorithm and hex', DIGEST],
    ['foo@', 'the digest is empty', DIGEST],
    [`localhost:http/name@${SHA256}`, 'a port is digits', HOST],
  ]);
});

// The 255 counts domain, '/' and path, as distribution/reference did up to v0.5.0 (see below).
describe('reference name length', () => {
  accepts([
    // docker.io/library/ is 18 characters: 237 more make 255.
    { input: a(237), domain: 'docker.io', path: `library/${a(237)}`, familiar: a(237) },
    {
      input: `example.com/${a(243)}`,
      domain: 'example.com',
      path: a(243),
      familiar: `example.com/${a(243)}`,
    },
    {
      input: `example.com/${a(243)}:${a(128)}`,
      domain: 'example.com',
      path: a(243),
      tag: a(128),
      familiar: `example.com/${a(243)}:${a(128)}`,
    },
  ]);
  refuses([
    [a(238), 'docker.io/library/ and it make 256 characters', LONG],
    [`example.com/${a(244)}`, 'the domain and path make 256 characters', LONG],
    [`domain/${a(256)}:tag`, 'the path alone is 256 characters', LONG],
    [`this_is_not_a_valid_namespace_${a(230)}/docker`, 'the namespace is too long', LONG],
  ]);
});

describe('references Docker reads differently, on purpose', () => {
  refuses([
    // Docker keeps this as a name with no registry at all (its regexp's fallback); we want one.
    ['foo_bar.com/x', 'a first component with a period is a host, and a host has no _', HOST],
    // distribution/reference v0.6.0 counts the path only; we count the domain too, as v0.5.0 did.
    [`example.com/${a(255)}:tag`, 'the domain counts toward the 255', LONG],
    [`${'a/'.repeat(127)}a`, 'docker.io/ and the 255-character path make 265', LONG],
  ]);
});

describe('familiar forms', () => {
  const cases: [input: string, repository: string, familiarRepository: string][] = [
    ['ubuntu', 'docker.io/library/ubuntu', 'ubuntu'],
    ['redis:latest', 'docker.io/library/redis', 'redis'],
    ['library/foo/bar', 'docker.io/library/foo/bar', 'library/foo/bar'],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp', 'dmcgowan/myapp'],
    ['index.docker.io/fooo/bar', 'docker.io/fooo/bar', 'fooo/bar'],
    ['localhost/fooo', 'localhost/fooo', 'localhost/fooo'],
    ['localhost:5000/x', 'localhost:5000/x', 'localhost:5000/x'],
    [
      '127.0.0.1:8000/private/moonbase',
      '127.0.0.1:8000/private/moonbase',
      '127.0.0.1:8000/private/moonbase',
    ],
    ['ghcr.io/library/x', 'ghcr.io/library/x', 'ghcr.io/library/x'],
  ];
  for (const [input, repository, familiar] of cases) {
    test(`when ${show(input)} is shown, then its repository is ${show(familiar)}`, () => {
      const parsed = parseReference(input);
      assert.equal(repositoryName(parsed), repository);
      assert.equal(familiarRepository(parsed), familiar);
    });
  }

  const tagged: [input: string, full: string, familiar: string][] = [
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest', 'gcr.io/library/busybox:latest'],
    [`busybox@${SHA256}`, `docker.io/library/busybox@${SHA256}`, `busybox@${SHA256}`],
    ['acme/api:v1', 'docker.io/acme/api:v1', 'acme/api:v1'],
  ];
  for (const [input, full, familiar] of tagged) {
    test(`when ${show(input)} gets the default tag, then it reads ${show(full)}`, () => {
      const reference = withDefaultTag(parseReference(input));
      assert.equal(referenceString(reference), full);
      assert.equal(familiarString(reference), familiar);
    });
  }
});
