import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { diffId } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';

// One database serves the whole file: every test labels its configs with a
// key of its own and puts that key in its filter, so it lists its own images.
const server = useTestServer();

const LIST = `query ($filter: ImageFilter, $orderBy: ImageOrder, $headsOnly: Boolean,
    $first: Int, $after: String, $last: Int, $before: String) {
  images(filter: $filter, orderBy: $orderBy, headsOnly: $headsOnly,
      first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const TAG = `mutation ($image: String!, $reference: String!) {
  tagImage(image: $image, reference: $reference) { reference { name } }
}`;
const UNTAG = 'mutation ($reference: String!) { untagImage(reference: $reference) { reference } }';

interface Filter {
  rootsOnly?: boolean;
  dangling?: boolean;
  reference?: string[];
  label?: string[];
  before?: string;
  since?: string;
  os?: string;
  architecture?: string;
}

interface Spec {
  /** Labels besides the test's own key. */
  labels?: Record<string, string>;
  /** RFC 3339; null leaves `created` out of the config. */
  created?: string | null;
  os?: string;
  architecture?: string;
}

let made = 0;

/** The images of one test: labelled with a key no other test uses. */
function scope(test: string) {
  const key = `test.${test}`;
  return {
    /** Stores a new config of this test and returns its ID. */
    async make(spec: Spec = {}): Promise<string> {
      return server.create(this.config(spec));
    },
    /** A new config of this test, not stored. */
    config(spec: Spec = {}): string {
      made++;
      const layer = `${test} ${made}`;
      const config = {
        architecture: spec.architecture ?? 'amd64',
        os: spec.os ?? 'linux',
        ...(spec.created === null ? {} : { created: spec.created ?? '2024-05-01T12:00:00Z' }),
        comment: layer,
        config: { Labels: { [key]: 'yes', ...spec.labels } },
        rootfs: { type: 'layers', diff_ids: [diffId(layer)] },
        history: [{ created_by: `ADD ${layer} /` }],
      };
      return JSON.stringify(config);
    },
    /** New plain images of this test. */
    async many(count: number): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(await this.make());
      return ids;
    },
    /** The filter with this test's key added to its labels. */
    filter(more: Filter = {}): Filter {
      return { ...more, label: [key, ...(more.label ?? [])] };
    },
  };
}

async function tag(image: string, ...references: string[]): Promise<void> {
  for (const reference of references) await server.data(TAG, { image, reference });
}

/** The ID a config is stored under. */
function idOf(config: string): string {
  return `sha256:${createHash('sha256').update(config).digest('hex')}`;
}

/** A repo digest made up from a name. */
function digest(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

interface ListArgs {
  filter?: Filter;
  orderBy?: 'ID' | 'CREATED_DESC' | 'CREATED_ASC';
  headsOnly?: boolean;
  first?: number;
  after?: string | null;
  last?: number;
  before?: string | null;
}

/** One page of the list, as IDs and cursors. */
async function page(args: ListArgs) {
  const { images } = await server.data(LIST, { ...args });
  return {
    ids: images.edges.map((edge: any) => edge.node.id) as string[],
    cursors: images.edges.map((edge: any) => edge.cursor) as string[],
    totalCount: images.totalCount as number,
    pageInfo: images.pageInfo,
  };
}

/** The IDs the filter selects, in the order asked; totalCount must count them. */
async function selected(filter: Filter, args: ListArgs = {}): Promise<string[]> {
  const { ids, totalCount } = await page({ ...args, filter });
  assert.equal(totalCount, ids.length, `totalCount of ${JSON.stringify(filter)}`);
  return ids;
}

const byId = (ids: string[]) => [...ids].sort();

describe('images: the dangling filter', () => {
  /** A lone image, a tagged one, a digested one, a parent and its (untagged) child. */
  async function family(test: string) {
    const t = scope(test);
    const [lone, tagged, digested, parent, child] = await t.many(5);
    await tag(tagged!, `${test}/app:1`);
    await tag(digested!, `${test}/app@${digest(test)}`);
    await server.setParent(child!, parent!);
    return { t, lone: lone!, tagged: tagged!, digested: digested!, parent: parent!, child: child! };
  }

  it('when dangling is true, then only images with no reference and no child come', async () => {
    const { t, lone, child } = await family('dangling-true');
    assert.deepEqual(await selected(t.filter({ dangling: true })), byId([lone, child]));
  });

  it('when dangling is false, then only images with a reference or a child come', async () => {
    const { t, tagged, digested, parent } = await family('dangling-false');
    assert.deepEqual(
      await selected(t.filter({ dangling: false })),
      byId([tagged, digested, parent]),
    );
  });

  it('when an image loses its last reference, then it is listed as dangling', async () => {
    const t = scope('dangling-untagged');
    const [kept, untagged] = await t.many(2);
    await tag(kept!, 'dangling-untagged/app:1');
    await tag(untagged!, 'dangling-untagged/app:2');
    await server.data(UNTAG, { reference: 'dangling-untagged/app:2' });
    assert.deepEqual(await selected(t.filter({ dangling: true })), [untagged]);
    assert.deepEqual(await selected(t.filter({ dangling: false })), [kept]);
  });
});

describe('images: the reference filter', () => {
  it('when the pattern is ubuntu:*, then every ubuntu tag matches and nothing else', async () => {
    const t = scope('ref-tags');
    const [jammy, noble, dev, acme, debian, digested] = await t.many(6);
    await tag(jammy!, 'ubuntu:22.04');
    await tag(noble!, 'ubuntu:24.04');
    await tag(dev!, 'ubuntu-dev:1');
    await tag(acme!, 'acme/ubuntu:1');
    await tag(debian!, 'debian:12');
    await tag(digested!, `ubuntu@${digest('ref-tags')}`);
    assert.deepEqual(await selected(t.filter({ reference: ['ubuntu:*'] })), byId([jammy!, noble!]));
  });

  it('when the pattern is */api:1.*, then api 1.x in any one-level namespace matches', async () => {
    const t = scope('ref-api');
    const [acme, other, two, library, ghcr, bare, apix] = await t.many(7);
    await tag(acme!, 'acme/api:1.4');
    await tag(other!, 'other/api:1.10');
    await tag(two!, 'acme/api:2.0');
    await tag(library!, 'api:1.4');
    await tag(ghcr!, 'ghcr.io/acme/api:1.4');
    await tag(bare!, 'acme/api:1');
    await tag(apix!, 'acme/api-x:1.4');
    assert.deepEqual(await selected(t.filter({ reference: ['*/api:1.*'] })), byId([acme!, other!]));
  });

  it('when the pattern is a bare repository, then every reference of it matches', async () => {
    const t = scope('ref-repository');
    const [jammy, latest, library, normalized, digested, dev, acme] = await t.many(7);
    await tag(jammy!, 'ubuntu:22.04');
    await tag(latest!, 'ubuntu');
    await tag(library!, 'library/ubuntu:20.04');
    await tag(normalized!, 'docker.io/library/ubuntu:18.04');
    await tag(digested!, `ubuntu@${digest('ref-repository')}`);
    await tag(dev!, 'ubuntu-dev:1');
    await tag(acme!, 'acme/ubuntu:1');
    assert.deepEqual(
      await selected(t.filter({ reference: ['ubuntu'] })),
      byId([jammy!, latest!, library!, normalized!, digested!]),
    );
  });

  it('when the pattern is ghcr.io/acme/*, then the repositories there match', async () => {
    const t = scope('ref-registry');
    const [api, web, nested, other, hub, digested] = await t.many(6);
    await tag(api!, 'ghcr.io/acme/api:1');
    await tag(web!, 'ghcr.io/acme/web');
    await tag(nested!, 'ghcr.io/acme/team/api:1');
    await tag(other!, 'ghcr.io/other/api:1');
    await tag(hub!, 'acme/api:1');
    await tag(digested!, `ghcr.io/acme/db@${digest('ref-registry')}`);
    assert.deepEqual(
      await selected(t.filter({ reference: ['ghcr.io/acme/*'] })),
      byId([api!, web!, digested!]),
    );
  });

  it('when the pattern has ?, then it matches exactly one character', async () => {
    const t = scope('ref-question');
    const [v1, v2, v10, v, other] = await t.many(5);
    await tag(v1!, 'qtool:v1');
    await tag(v2!, 'qtool:v2');
    await tag(v10!, 'qtool:v10');
    await tag(v!, 'qtool:v');
    await tag(other!, 'qtools:v1');
    assert.deepEqual(await selected(t.filter({ reference: ['qtool:v?'] })), byId([v1!, v2!]));
  });

  it('when the pattern has a class [a-c], then one character of it matches', async () => {
    const t = scope('ref-class');
    const [a, c, d, ab] = await t.many(4);
    await tag(a!, 'clsa:1');
    await tag(c!, 'clsc:1');
    await tag(d!, 'clsd:1');
    await tag(ab!, 'clsab:1');
    assert.deepEqual(await selected(t.filter({ reference: ['cls[a-c]:1'] })), byId([a!, c!]));
    assert.deepEqual(await selected(t.filter({ reference: ['cls[^a-c]:1'] })), [d]);
    assert.deepEqual(await selected(t.filter({ reference: ['cls[ab][b]:*'] })), [ab]);
  });

  it('when a class holds [, then it is a plain character of the class, as in Go', async () => {
    // Go has no [:alpha:] classes: [[:alpha:]] is the class {[ : a l p h} and then a literal ].
    const t = scope('ref-class-chars');
    const [word] = await t.many(1);
    await tag(word!, 'goclass:abc');
    const expected: Record<string, string[] | string> = {
      'goclass:[[:alpha:]]*': [],
      'goclass:[[:a]bc': [word!],
      'goclass:[[.a.]]bc': [],
      'goclass:[[=a=]]bc': [],
      'goclass:[\\]a]bc': [word!],
      'goclass:[[a]bc': [word!],
    };
    const answers: Record<string, string[] | string> = {};
    for (const pattern of Object.keys(expected)) {
      const answer = await server.gql(LIST, { filter: t.filter({ reference: [pattern] }) });
      answers[pattern] = answer.errors
        ? String(answer.errors[0]?.extensions?.code)
        : answer.data.images.edges.map((edge: any) => edge.node.id);
    }
    assert.deepEqual(answers, expected);
  });

  it('when * or ? would have to cross a /, then the pattern does not match', async () => {
    const t = scope('ref-slash');
    const [solo, team, nested, ghcr] = await t.many(4);
    await tag(solo!, 'solo:1');
    await tag(team!, 'team/solo:1');
    await tag(nested!, 'team/sub/solo:1');
    await tag(ghcr!, 'ghcr.io/team/solo:1');
    assert.deepEqual(await selected(t.filter({ reference: ['*'] })), [solo]);
    assert.deepEqual(await selected(t.filter({ reference: ['team/*'] })), [team]);
    assert.deepEqual(await selected(t.filter({ reference: ['*/solo:1'] })), [team]);
    assert.deepEqual(await selected(t.filter({ reference: ['team?solo:1'] })), []);
  });

  it('when several patterns are given, then an image matching any comes once', async () => {
    const t = scope('ref-several');
    const [a, b, b3, c] = await t.many(4);
    await tag(a!, 'multi-a:1', 'multi-a:2');
    await tag(b!, 'multi-b:2');
    await tag(b3!, 'multi-b:3');
    await tag(c!, 'multi-c:1');
    const patterns = ['multi-a:*', 'multi-b:2', 'no-such-multi:*'];
    assert.deepEqual(await selected(t.filter({ reference: patterns })), byId([a!, b!]));
  });

  it('when an image has a repo digest, then patterns match that reference too', async () => {
    const t = scope('ref-digest');
    const [digestOnly, both, other] = await t.many(3);
    const first = digest('ref-digest first');
    await tag(digestOnly!, `dig/app@${first}`);
    await tag(both!, 'dig/app:1', `dig/app@${digest('ref-digest both')}`);
    await tag(other!, `dig/other@${digest('ref-digest other')}`);
    const matching = async (pattern: string) => selected(t.filter({ reference: [pattern] }));
    assert.deepEqual(await matching('dig/app'), byId([digestOnly!, both!]));
    assert.deepEqual(await matching('dig/app@sha256:*'), byId([digestOnly!, both!]));
    assert.deepEqual(await matching(`dig/app@${first}`), [digestOnly]);
    assert.deepEqual(await matching('dig/*@*'), byId([digestOnly!, both!, other!]));
    assert.deepEqual(await matching('dig/app:*'), [both]);
  });

  it('when the pattern is in the normalized form, then it does not match', async () => {
    const t = scope('ref-normalized');
    const [image] = await t.many(1);
    await tag(image!, 'normal:1');
    for (const pattern of [
      'docker.io/library/normal:1',
      'library/normal:*',
      'docker.io/*/normal',
    ]) {
      assert.deepEqual(await selected(t.filter({ reference: [pattern] })), [], pattern);
    }
    assert.deepEqual(await selected(t.filter({ reference: ['normal:1'] })), [image]);
  });

  it('when a pattern is malformed, then it is BAD_USER_INPUT', async () => {
    for (const reference of [['['], ['ubuntu:['], ['[]'], ['[z-a]'], ['a\\'], ['ubuntu:*', '[']]) {
      const answer = await server.gql(LIST, { filter: { reference } });
      assert.equal(onlyError(answer).code, 'BAD_USER_INPUT', JSON.stringify(reference));
    }
  });
});

describe('images: the label filter', () => {
  it('when a label key is given, then images with it, whatever its value, come', async () => {
    const t = scope('label-key');
    const empty = await t.make({ labels: { flag: '' } });
    const on = await t.make({ labels: { flag: 'on' } });
    await t.make({ labels: { other: 'flag' } });
    await t.make({ labels: { flags: 'on' } });
    assert.deepEqual(await selected(t.filter({ label: ['flag'] })), byId([empty, on]));
  });

  it('when key=value is given, then only images with exactly that value are listed', async () => {
    const t = scope('label-value');
    const web = await t.make({ labels: { tier: 'web' } });
    await t.make({ labels: { tier: 'db' } });
    await t.make({ labels: { tier: 'web2' } });
    await t.make({ labels: { tiers: 'web' } });
    const empty = await t.make({ labels: { tier: '' } });
    const url = await t.make({ labels: { url: 'a=b' } });
    assert.deepEqual(await selected(t.filter({ label: ['tier=web'] })), [web]);
    assert.deepEqual(await selected(t.filter({ label: ['tier='] })), [empty]);
    assert.deepEqual(await selected(t.filter({ label: ['url=a=b'] })), [url]);
  });

  it('when several labels are given, then an image must have all of them', async () => {
    const t = scope('label-all');
    const both = await t.make({ labels: { tier: 'web', zone: 'eu' } });
    await t.make({ labels: { tier: 'web' } });
    await t.make({ labels: { zone: 'eu' } });
    await t.make({ labels: { tier: 'db', zone: 'eu' } });
    assert.deepEqual(await selected(t.filter({ label: ['tier=web', 'zone'] })), [both]);
    assert.deepEqual(await selected(t.filter({ label: ['tier=web', 'zone=eu'] })), [both]);
    // No image has tier both web and db.
    assert.deepEqual(await selected(t.filter({ label: ['tier=web', 'tier=db'] })), []);
    assert.deepEqual(await selected(t.filter({ label: ['tier=db', 'tier=web'] })), []);
  });
});

describe('images: the before and since filters', () => {
  /** Images created a month apart, and one created at the same instant as the second. */
  async function timeline(test: string) {
    const t = scope(test);
    const jan = await t.make({ created: '2024-01-01T00:00:00Z' });
    const feb = await t.make({ created: '2024-02-01T00:00:00Z' });
    // The same instant as feb, written in another offset.
    const febToo = await t.make({ created: '2024-02-01T01:00:00+01:00' });
    const mar = await t.make({ created: '2024-03-01T00:00:00Z' });
    const apr = await t.make({ created: '2024-04-01T00:00:00.5Z' });
    return { t, jan, feb, febToo, mar, apr };
  }

  it('when given by ID, then images created strictly before or since it come', async () => {
    const { t, jan, feb, febToo, mar, apr } = await timeline('time-id');
    assert.deepEqual(await selected(t.filter({ before: mar })), byId([jan, feb, febToo]));
    assert.deepEqual(await selected(t.filter({ since: feb })), byId([mar, apr]));
    assert.deepEqual(await selected(t.filter({ before: feb })), [jan]);
    assert.deepEqual(await selected(t.filter({ since: apr })), []);
  });

  it('when given by a unique ID prefix, then it names that image', async () => {
    const { t, jan, feb, febToo, mar, apr } = await timeline('time-prefix');
    const before = mar.slice(0, 7 + 20);
    const since = feb.slice(7, 7 + 20);
    assert.deepEqual(await selected(t.filter({ before })), byId([jan, feb, febToo]));
    assert.deepEqual(await selected(t.filter({ since })), byId([mar, apr]));
  });

  it('when given by reference, then the image it names is the bound', async () => {
    const { t, jan, feb, febToo, mar, apr } = await timeline('time-ref');
    await tag(feb, 'time-ref/app:2');
    const digested = `time-ref/app@${digest('time-ref')}`;
    await tag(apr, 'time-ref/app', digested);
    assert.deepEqual(await selected(t.filter({ before: 'time-ref/app:2' })), [jan]);
    assert.deepEqual(await selected(t.filter({ since: 'time-ref/app:2' })), byId([mar, apr]));
    const normalized = 'docker.io/time-ref/app:2';
    assert.deepEqual(await selected(t.filter({ since: normalized })), byId([mar, apr]));
    // A bare name means :latest, and a repo digest names its image too.
    assert.deepEqual(await selected(t.filter({ since: 'time-ref/app' })), []);
    assert.deepEqual(await selected(t.filter({ before: digested })), byId([jan, feb, febToo, mar]));
  });

  it('when before and since are both given, then images between the two are listed', async () => {
    const { t, jan, feb, febToo, mar, apr } = await timeline('time-between');
    const between = t.filter({ since: jan, before: apr });
    assert.deepEqual(await selected(between), byId([feb, febToo, mar]));
    assert.deepEqual(await selected(t.filter({ since: feb, before: mar })), []);
  });

  it('when before or since is an ID or prefix of no image, then it is NOT_FOUND', async () => {
    for (const asked of [`sha256:${'0'.repeat(62)}9f`, '0000000000009f', 'sha256:0000000000009f']) {
      for (const filter of [{ before: asked }, { since: asked }]) {
        const error = onlyError(await server.gql(LIST, { filter }));
        assert.deepEqual(error, { code: 'NOT_FOUND', message: `No such image: ${asked}` }, asked);
      }
    }
  });

  it('when before or since is a reference that names nothing, then it is NOT_FOUND', async () => {
    const t = scope('time-unknown-ref');
    await tag(await t.make(), 'time-unknown/app:1');
    const names = ['time-unknown/app:2', 'time-unknown/app', 'no-such-image', 'ghcr.io/no/such:1'];
    for (const asked of names) {
      for (const filter of [{ before: asked }, { since: asked }]) {
        const error = onlyError(await server.gql(LIST, { filter }));
        assert.deepEqual(error, { code: 'NOT_FOUND', message: `No such image: ${asked}` }, asked);
      }
    }
  });
});

describe('images: the os and architecture filters', () => {
  async function platforms(test: string) {
    const t = scope(test);
    const linuxAmd = await t.make({ os: 'linux', architecture: 'amd64' });
    const linuxArm = await t.make({ os: 'linux', architecture: 'arm64' });
    const windowsAmd = await t.make({ os: 'windows', architecture: 'amd64' });
    const none = await t.make({});
    return { t, linuxAmd, linuxArm, windowsAmd, none };
  }

  it('when os is given, then only images of that os are listed', async () => {
    const { t, linuxAmd, linuxArm, none, windowsAmd } = await platforms('platform-os');
    assert.deepEqual(await selected(t.filter({ os: 'linux' })), byId([linuxAmd, linuxArm, none]));
    assert.deepEqual(await selected(t.filter({ os: 'windows' })), [windowsAmd]);
    assert.deepEqual(await selected(t.filter({ os: 'Linux' })), []);
  });

  it('when architecture is given, then only images of that architecture are listed', async () => {
    const { t, linuxArm } = await platforms('platform-arch');
    assert.deepEqual(await selected(t.filter({ architecture: 'arm64' })), [linuxArm]);
    assert.deepEqual(await selected(t.filter({ architecture: 'arm' })), []);
  });
});

describe('images: filters together', () => {
  it('when several filters are given, then an image comes only if all hold', async () => {
    const t = scope('combined');
    const make = (created: string, spec: Spec = {}) =>
      t.make({
        architecture: 'arm64',
        ...spec,
        created,
        labels: spec.labels ?? { stage: 'build' },
      });
    const feb = '2024-02-01T00:00:00Z';
    const hit = await make(feb);
    // Each of these fails one filter alone: since and before are strict.
    const excluded = {
      reference: await make(feb),
      label: await make(feb, { labels: { phase: 'build' } }),
      since: await make('2024-01-01T00:00:00Z'),
      before: await make('2024-03-01T00:00:00Z'),
      os: await make(feb, { os: 'windows' }),
      architecture: await make(feb, { architecture: 'amd64' }),
    };
    await make(feb); // untagged: dangling, and matching no pattern
    await tag(hit, 'combined/api:1.1');
    await tag(excluded.reference, 'combined/web:1.1');
    await tag(excluded.label, 'combined/api:1.2');
    await tag(excluded.since, 'combined/api:1.0');
    await tag(excluded.before, 'combined/api:1.9');
    await tag(excluded.os, 'combined/api:1.5');
    await tag(excluded.architecture, 'combined/api:1.6');
    const filter: Filter = {
      dangling: false,
      reference: ['combined/api:1.*'],
      label: ['stage'],
      since: 'combined/api:1.0',
      before: 'combined/api:1.9',
      os: 'linux',
      architecture: 'arm64',
    };
    assert.deepEqual(await selected(t.filter(filter)), [hit]);
    for (const [name, id] of Object.entries(excluded)) {
      const { [name as keyof Filter]: _dropped, ...rest } = filter;
      assert.deepEqual(await selected(t.filter(rest)), byId([hit, id]), `without ${name}`);
    }
  });

  it('when reference, architecture and since are given, then each narrows the list', async () => {
    const t = scope('combined-narrow');
    const base = await t.make({ created: '2024-01-01T00:00:00Z' });
    const arm = await t.make({ created: '2024-02-01T00:00:00Z', architecture: 'arm64' });
    const amd = await t.make({ created: '2024-02-01T00:00:00Z' });
    const armOld = await t.make({ created: '2023-12-01T00:00:00Z', architecture: 'arm64' });
    for (const [id, name] of [
      [arm, 'narrow/api:1'],
      [amd, 'narrow/api:2'],
      [armOld, 'narrow/api:0'],
    ] as const) {
      await tag(id, name);
    }
    const all = t.filter({ reference: ['narrow/*'] });
    assert.deepEqual(await selected(all), byId([arm, amd, armOld]));
    assert.deepEqual(await selected({ ...all, architecture: 'arm64' }), byId([arm, armOld]));
    assert.deepEqual(await selected({ ...all, architecture: 'arm64', since: base }), [arm]);
  });

  it('when headsOnly comes with a filter, then selected images with no child come', async () => {
    const t = scope('heads');
    const [parent, child, lone, otherHead] = await t.many(4);
    await server.setParent(child!, parent!);
    await tag(parent!, 'heads/app:base');
    await tag(child!, 'heads/app:child');
    await tag(lone!, 'heads/app:lone');
    await tag(otherHead!, 'heads/other:1');
    const filter = t.filter({ reference: ['heads/app:*'] });
    assert.deepEqual(await selected(filter), byId([parent!, child!, lone!]));
    assert.deepEqual(await selected(filter, { headsOnly: true }), byId([child!, lone!]));
    assert.deepEqual(
      await selected(t.filter({ dangling: false }), { headsOnly: true }),
      byId([child!, lone!, otherHead!]),
    );
  });
  it('when rootsOnly is set, then only images without a parent come, counted alike', async () => {
    const t = scope('roots');
    const [root, child, grandchild, lone] = await t.many(4);
    await server.setParent(child!, root!);
    await server.setParent(grandchild!, child!);
    assert.deepEqual(await selected(t.filter({ rootsOnly: true })), byId([root!, lone!]));
    assert.deepEqual(await selected(t.filter({ rootsOnly: true }), { headsOnly: true }), [lone!]);
    // A root that gains a parent leaves the list; a child unlinked joins it.
    await server.setParent(lone!, grandchild!);
    await server.setParent(child!, null);
    assert.deepEqual(await selected(t.filter({ rootsOnly: true })), byId([root!, child!]));
  });
});

describe('images: creation-time orders', () => {
  /**
   * Seven images: one a month before the rest, three at the same instant (one
   * written in another offset), one a month later, and one with no created.
   */
  async function ordered(test: string) {
    const t = scope(test);
    const early = await t.make({ created: '2024-01-15T08:00:00Z' });
    const ties = [
      await t.make({ created: '2024-02-15T08:00:00.25Z' }),
      await t.make({ created: '2024-02-15T08:00:00.25Z' }),
      await t.make({ created: '2024-02-15T10:00:00.250+02:00' }),
    ];
    const late = await t.make({ created: '2024-03-15T08:00:00Z' });
    const undated = await t.make({ created: null });
    const asc = [undated, early, ...byId(ties), late];
    const desc = [late, ...byId(ties).reverse(), early, undated];
    return { t, asc, desc };
  }

  it('when CREATED_DESC, then newest first, ties by ID descending, undated last', async () => {
    const { t, desc } = await ordered('order-desc');
    assert.deepEqual(await selected(t.filter(), { orderBy: 'CREATED_DESC' }), desc);
  });

  it('when CREATED_ASC, then undated first, then oldest, ties by ID ascending', async () => {
    const { t, asc } = await ordered('order-asc');
    assert.deepEqual(await selected(t.filter(), { orderBy: 'CREATED_ASC' }), asc);
  });

  it('when created times differ under a millisecond, then the order follows', async () => {
    const t = scope('order-micro');
    const first = t.config({ created: '2024-06-01T00:00:00.000001Z' });
    // The later one gets the lower ID, so that a tie broken by ID would put it first.
    let second = t.config({ created: '2024-06-01T00:00:00.000002Z' });
    while (idOf(second) > idOf(first))
      second = t.config({ created: '2024-06-01T00:00:00.000002Z' });
    const earlier = await server.create(first);
    const later = await server.create(second);
    const oldest = await t.make({ created: '2024-05-31T23:59:59.999999Z' });
    const asc = await selected(t.filter(), { orderBy: 'CREATED_ASC' });
    assert.deepEqual(asc, [oldest, earlier, later]);
    assert.deepEqual(await selected(t.filter({ since: earlier })), [later]);
    assert.deepEqual(await selected(t.filter({ before: later })), byId([oldest, earlier]));
  });

  for (const orderBy of ['CREATED_DESC', 'CREATED_ASC'] as const) {
    it(`when ${orderBy} is paged with first: 2 and after, then pages join up`, async () => {
      const { t, asc, desc } = await ordered(`page-forward-${orderBy}`);
      const expected = orderBy === 'CREATED_ASC' ? asc : desc;
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 1; ; pages++) {
        const got = await page({ filter: t.filter(), orderBy, first: 2, after });
        assert.equal(got.totalCount, expected.length);
        assert.equal(got.pageInfo.endCursor, got.cursors.at(-1));
        seen.push(...got.ids);
        assert.equal(got.pageInfo.hasNextPage, seen.length < expected.length);
        if (!got.pageInfo.hasNextPage) break;
        assert.ok(pages < expected.length, 'paging does not end');
        after = got.pageInfo.endCursor;
      }
      assert.deepEqual(seen, expected);
    });

    it(`when ${orderBy} is paged with last: 2 and before, then pages join up`, async () => {
      const { t, asc, desc } = await ordered(`page-backward-${orderBy}`);
      const expected = orderBy === 'CREATED_ASC' ? asc : desc;
      let seen: string[] = [];
      let before: string | null = null;
      for (let pages = 1; ; pages++) {
        const got = await page({ filter: t.filter(), orderBy, last: 2, before });
        assert.equal(got.totalCount, expected.length);
        assert.equal(got.pageInfo.startCursor, got.cursors[0]);
        seen = [...got.ids, ...seen];
        assert.equal(got.pageInfo.hasPreviousPage, seen.length < expected.length);
        if (!got.pageInfo.hasPreviousPage) break;
        assert.ok(pages < expected.length, 'paging does not end');
        before = got.pageInfo.startCursor;
      }
      assert.deepEqual(seen, expected);
    });
  }

  it('when a cursor is in the middle of a tie, then the page goes on in the tie', async () => {
    const { t, desc } = await ordered('page-tie');
    const whole = await page({ filter: t.filter(), orderBy: 'CREATED_DESC' });
    // desc[2] is the middle one of the three ties.
    const rest = await page({
      filter: t.filter(),
      orderBy: 'CREATED_DESC',
      after: whole.cursors[2],
    });
    assert.deepEqual(rest.ids, desc.slice(3));
    const head = await page({
      filter: t.filter(),
      orderBy: 'CREATED_DESC',
      before: whole.cursors[2],
    });
    assert.deepEqual(head.ids, desc.slice(0, 2));
  });

  it('when a cursor was not made by this order, then it is BAD_USER_INPUT', async () => {
    const t = scope('bad-cursor');
    const id = await t.make();
    const created = (await page({ filter: t.filter(), orderBy: 'CREATED_DESC' })).cursors[0]!;
    const garbage = [
      'garbage',
      '',
      Buffer.from('yesterday|sha256:abc').toString('base64url'),
      Buffer.from(`2024-01-01 00:00:00+00|${'x'.repeat(71)}`).toString('base64url'),
      id,
    ];
    for (const orderBy of ['CREATED_DESC', 'CREATED_ASC'] as const) {
      for (const cursor of garbage) {
        for (const args of [{ after: cursor }, { before: cursor }]) {
          const answer = await server.gql(LIST, { filter: t.filter(), orderBy, first: 2, ...args });
          assert.equal(onlyError(answer).code, 'BAD_USER_INPUT', `${orderBy} ${cursor}`);
        }
      }
    }
    for (const cursor of ['garbage', created]) {
      const answer = await server.gql(LIST, { filter: t.filter(), after: cursor });
      assert.equal(onlyError(answer).code, 'BAD_USER_INPUT', `ID ${cursor}`);
    }
  });

  it('when no order is given, then the list is by ID and each cursor is the image ID', async () => {
    const { t, asc } = await ordered('order-default');
    const ids = byId(asc);
    const whole = await page({ filter: t.filter() });
    assert.deepEqual(whole.ids, ids);
    assert.deepEqual(whole.cursors, ids);
    assert.equal(whole.totalCount, ids.length);
    const explicit = await page({ filter: t.filter(), orderBy: 'ID' });
    assert.deepEqual(explicit.ids, ids);
    const rest = await page({ filter: t.filter(), first: 2, after: ids[2] });
    assert.deepEqual(rest.ids, ids.slice(3, 5));
    assert.deepEqual(rest.cursors, ids.slice(3, 5));
    assert.equal(rest.totalCount, ids.length);
    const back = await page({ filter: t.filter(), last: 2, before: ids[2] });
    assert.deepEqual(back.ids, ids.slice(0, 2));
  });
});
