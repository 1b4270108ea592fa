import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { shortId } from './support/ids.js';

const server = useTestServer();

const REFERENCE_FIELDS =
  'name familiarName repository domain path tag digest createdAt image { id }';
const TAG = `mutation ($image: String!, $reference: String!) {
  tagImage(image: $image, reference: $reference) {
    reference { ${REFERENCE_FIELDS} }
    image { id repoTags repoDigests lastTagTime }
    previousImage { id repoTags }
  }
}`;
const UNTAG = `mutation ($reference: String!) {
  untagImage(reference: $reference) { reference image { id repoTags } }
}`;
const IMAGE = `query ($id: String!) {
  image(id: $id) { id repoTags repoDigests lastTagTime dangling references { name } }
}`;
const REFERENCE = `query ($name: String!) { reference(name: $name) { ${REFERENCE_FIELDS} } }`;
const REFERENCES = `query (
  $first: Int, $after: String, $last: Int, $before: String, $repository: String
) {
  references(first: $first, after: $after, last: $last, before: $before, repository: $repository) {
    totalCount
    edges { cursor node { name familiarName image { id } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'e'.repeat(64)}`;

/** A new image with a config only this test uses. */
const newImage = (test: string, note = '') =>
  server.create(makeConfig([`${test} layer`], `${test} ${note}`));
const tag = async (image: string, reference: string) =>
  (await server.data(TAG, { image, reference })).tagImage;
const imageNamed = async (id: string) => (await server.data(IMAGE, { id })).image;
const referenceNamed = async (name: string) => (await server.data(REFERENCE, { name })).reference;
const references = async (args: Record<string, unknown>) =>
  (await server.data(REFERENCES, args)).references;
const referenceCount = async () => (await references({ first: 100 })).totalCount;

/** Asserts that a DateTime is a time within the last minute. */
function assertRecent(time: string | null): void {
  assert.ok(time !== null, 'expected a time');
  const age = Date.now() - Date.parse(time);
  assert.ok(age >= -5000 && age < 60_000, `${time} is not a time of this test`);
}

describe('tagImage', () => {
  it('when tagged by full ID, then the reference names the image', async () => {
    const id = await newImage('by full id');
    const tagged = await tag(id, 'byid/app:1');
    assert.deepEqual(tagged.image.id, id);
    assert.deepEqual(tagged.image.repoTags, ['byid/app:1']);
    assert.deepEqual(tagged.image.repoDigests, []);
    assert.equal(tagged.previousImage, null);
    assert.deepEqual(tagged.reference.image, { id });
    // Without sha256: too.
    assert.equal((await tag(id.slice(7), 'byid/app:2')).image.id, id);
    assert.deepEqual((await imageNamed(id)).repoTags, ['byid/app:1', 'byid/app:2']);
  });

  it('when tagged by a unique prefix, then the prefix is resolved', async () => {
    const id = await newImage('by prefix');
    for (const prefix of [shortId(id), `sha256:${shortId(id)}`]) {
      const tagged = await tag(prefix, `byprefix/app:${prefix.length}`);
      assert.equal(tagged.image.id, id);
      assert.equal(tagged.reference.image.id, id);
    }
    assert.deepEqual((await imageNamed(id)).repoTags, ['byprefix/app:12', 'byprefix/app:19']);
  });

  it('when tagged by an existing reference, then both name one image', async () => {
    const id = await newImage('by reference');
    await tag(id, 'byref/source:1');
    await tag(id, 'byref-bare');
    assert.equal((await tag('byref/source:1', 'byref/copy:1')).image.id, id);
    assert.equal((await tag('docker.io/byref/source:1', 'byref/copy:2')).image.id, id);
    // A bare name means its :latest.
    assert.equal((await tag('byref-bare', 'byref/copy:3')).image.id, id);
    assert.deepEqual((await imageNamed(id)).repoTags, [
      'byref-bare:latest',
      'byref/copy:1',
      'byref/copy:2',
      'byref/copy:3',
      'byref/source:1',
    ]);
  });

  const normalized = [
    {
      input: 'ubuntu',
      name: 'docker.io/library/ubuntu:latest',
      familiarName: 'ubuntu:latest',
      repository: 'docker.io/library/ubuntu',
      domain: 'docker.io',
      path: 'library/ubuntu',
      tag: 'latest',
    },
    {
      input: 'acme/api:1.4',
      name: 'docker.io/acme/api:1.4',
      familiarName: 'acme/api:1.4',
      repository: 'docker.io/acme/api',
      domain: 'docker.io',
      path: 'acme/api',
      tag: '1.4',
    },
    {
      input: 'ghcr.io/acme/api:1.4',
      name: 'ghcr.io/acme/api:1.4',
      familiarName: 'ghcr.io/acme/api:1.4',
      repository: 'ghcr.io/acme/api',
      domain: 'ghcr.io',
      path: 'acme/api',
      tag: '1.4',
    },
    {
      input: 'localhost:5000/x:y',
      name: 'localhost:5000/x:y',
      familiarName: 'localhost:5000/x:y',
      repository: 'localhost:5000/x',
      domain: 'localhost:5000',
      path: 'x',
      tag: 'y',
    },
    {
      input: 'docker.io/library/debian:12',
      name: 'docker.io/library/debian:12',
      familiarName: 'debian:12',
      repository: 'docker.io/library/debian',
      domain: 'docker.io',
      path: 'library/debian',
      tag: '12',
    },
    {
      input: 'index.docker.io/acme/web',
      name: 'docker.io/acme/web:latest',
      familiarName: 'acme/web:latest',
      repository: 'docker.io/acme/web',
      domain: 'docker.io',
      path: 'acme/web',
      tag: 'latest',
    },
  ];
  for (const { input, ...expected } of normalized) {
    it(`when tagged "${input}", then it is ${expected.name}`, async () => {
      const id = await newImage('normalized', input);
      const tagged = await tag(id, input);
      assertRecent(tagged.reference.createdAt);
      const reference = {
        ...expected,
        digest: null,
        createdAt: tagged.reference.createdAt,
        image: { id },
      };
      assert.deepEqual(tagged.reference, reference);
      assert.deepEqual(tagged.image.repoTags, [expected.familiarName]);
      // The store reads it back the same, under any form of the name.
      assert.deepEqual(await referenceNamed(input), reference);
      assert.deepEqual(await referenceNamed(expected.name), reference);
      assert.deepEqual(await referenceNamed(expected.familiarName), reference);
    });
  }

  it('when a tag is given to another image, then it moves from the old one', async () => {
    const old = await newImage('move', 'old');
    const moved = await newImage('move', 'new');
    const first = await tag(old, 'move/app:1');
    await tag(old, 'move/app:keep');
    const second = await tag(moved, 'move/app:1');
    assert.deepEqual(second.previousImage, { id: old, repoTags: ['move/app:keep'] });
    assert.deepEqual(second.image.repoTags, ['move/app:1']);
    assert.equal(second.reference.image.id, moved);
    assert.ok(Date.parse(second.reference.createdAt) >= Date.parse(first.reference.createdAt));
    assert.deepEqual((await imageNamed(old)).repoTags, ['move/app:keep']);
    assert.deepEqual((await imageNamed(moved)).repoTags, ['move/app:1']);
    assert.equal((await referenceNamed('move/app:1')).image.id, moved);
  });

  it('when tagged again with its own name, then nothing moves, lastTagTime is set', async () => {
    const id = await newImage('retag');
    assert.equal((await imageNamed(id)).lastTagTime, null, 'never tagged yet');
    const first = await tag(id, 'retag/app:1');
    assertRecent(first.image.lastTagTime);
    const again = await tag(id, 'retag/app:1');
    assert.equal(again.previousImage, null);
    assert.deepEqual(again.image.repoTags, ['retag/app:1']);
    assertRecent(again.image.lastTagTime);
    assert.ok(Date.parse(again.image.lastTagTime) >= Date.parse(first.image.lastTagTime));
    // The reference was not set anew: it keeps its time.
    assert.equal(again.reference.createdAt, first.reference.createdAt);
    assert.equal((await imageNamed(id)).lastTagTime, again.image.lastTagTime);
    assert.equal((await references({ repository: 'retag/app' })).totalCount, 1);
  });

  it('when tagged name@sha256:…, then it is a repo digest, not a tag', async () => {
    const id = await newImage('repo digest');
    const tagged = await tag(id, `digested/app@${DIGEST}`);
    assertRecent(tagged.reference.createdAt);
    assert.deepEqual(tagged.reference, {
      name: `docker.io/digested/app@${DIGEST}`,
      familiarName: `digested/app@${DIGEST}`,
      repository: 'docker.io/digested/app',
      domain: 'docker.io',
      path: 'digested/app',
      tag: null,
      digest: DIGEST,
      createdAt: tagged.reference.createdAt,
      image: { id },
    });
    await tag(id, 'digested/app:1');
    await tag(id, `ghcr.io/digested/app@${OTHER_DIGEST}`);
    const image = await imageNamed(id);
    assert.deepEqual(image.repoTags, ['digested/app:1']);
    assert.deepEqual(image.repoDigests, [
      `digested/app@${DIGEST}`,
      `ghcr.io/digested/app@${OTHER_DIGEST}`,
    ]);
    assert.deepEqual(
      image.references.map((reference: any) => reference.name),
      [
        'docker.io/digested/app:1',
        `docker.io/digested/app@${DIGEST}`,
        `ghcr.io/digested/app@${OTHER_DIGEST}`,
      ],
    );
  });

  const refused: [input: string, why: string, reason: RegExp][] = [
    ['', 'it is empty', /is empty/],
    ['Refused:1', 'upper case in an official name', /must be lowercase/],
    ['refused/Api:1', 'upper case in the path', /must be lowercase/],
    ['refused//api:1', 'an empty path component', /empty component/],
    ['refused/api/:1', 'an empty last component', /empty component/],
    ['refused:-x', 'a tag that starts with a dash', /the tag "-x" is not/],
    [`refused:${'t'.repeat(129)}`, 'a tag of 129 characters', /the tag "t+" is not/],
    ['refused@sha256:abc', 'a digest too short', /the digest "sha256:abc" is not/],
    [`refused@sha256:${'D'.repeat(64)}`, 'a digest in upper case', /the digest "sha256:D+" is not/],
    [
      `refused@md5:${'d'.repeat(32)}`,
      'a digest of an unknown algorithm',
      /the digest "md5:d+" is not/,
    ],
    ['f'.repeat(64), 'a 64-hex name', /is an image ID, not a name/],
    [`refused/${'a'.repeat(240)}:1`, 'a name over 255 characters', /longer than 255 characters/],
    ['refused name:1', 'a space in the name', /each component of the repository name/],
    ['-refused:1', 'a component that starts with a dash', /each component of the repository name/],
    ['bad_host.io/refused:1', 'a registry that is no host', /"bad_host.io" is not a registry host/],
    [`sha256:${'c'.repeat(64)}`, 'sha256 as a name', /"sha256" as a name/],
    [`refused/api:1@${DIGEST}`, 'a tag and a digest together', /by tag or by digest, not both/],
  ];
  for (const [input, why, reason] of refused) {
    const shown = JSON.stringify(input).slice(0, 30);
    it(`when tagged ${shown}, then INVALID_REFERENCE: ${why}`, async () => {
      const id = await newImage('refused', input);
      const [rows, count] = [await server.counts(), await referenceCount()];
      const error = onlyError(await server.gql(TAG, { image: id, reference: input }));
      assert.equal(error.code, 'INVALID_REFERENCE');
      assert.match(error.message, /^invalid reference/);
      assert.match(error.message, reason);
      assert.deepEqual(await server.counts(), rows);
      assert.equal(await referenceCount(), count);
      const image = await imageNamed(id);
      assert.deepEqual([image.repoTags, image.repoDigests, image.lastTagTime], [[], [], null]);
    });
  }

  it('when the image does not exist, then NOT_FOUND and nothing is written', async () => {
    const count = await referenceCount();
    const missing = `sha256:${'0'.repeat(63)}1`;
    for (const image of [missing, '0000000000000000000001']) {
      const error = onlyError(await server.gql(TAG, { image, reference: 'missing/app:1' }));
      assert.deepEqual(error, { code: 'NOT_FOUND', message: `No such image: ${image}` });
    }
    assert.equal(await referenceCount(), count);
    assert.equal(await referenceNamed('missing/app:1'), null);
  });

  it('when the image is a name that names nothing, then it is NOT_FOUND, as Docker says it', async () => {
    for (const image of ['never-tagged/app:1', 'never-tagged']) {
      const error = onlyError(await server.gql(TAG, { image, reference: 'missing/app:2' }));
      assert.deepEqual(error, { code: 'NOT_FOUND', message: `No such image: ${image}` });
    }
    assert.equal(await referenceNamed('missing/app:2'), null);
  });
});

describe('untagImage', () => {
  it('when a tag is removed, then the image stays and the name is gone', async () => {
    const id = await newImage('untag');
    await tag(id, 'untag/app:1');
    await tag(id, 'untag/app:2');
    const { untagImage } = await server.data(UNTAG, { reference: 'docker.io/untag/app:1' });
    assert.deepEqual(untagImage, {
      reference: 'untag/app:1',
      image: { id, repoTags: ['untag/app:2'] },
    });
    assert.equal(await referenceNamed('untag/app:1'), null);
    assert.deepEqual((await imageNamed(id)).repoTags, ['untag/app:2']);
    // The last name goes the same way: the image stays, untagged.
    const last = (await server.data(UNTAG, { reference: 'untag/app:2' })).untagImage;
    assert.deepEqual(last, { reference: 'untag/app:2', image: { id, repoTags: [] } });
    const image = await imageNamed(id);
    assert.deepEqual([image.id, image.repoTags, image.references], [id, [], []]);
  });

  it('when a bare name or a repo digest is removed, then that goes', async () => {
    const id = await newImage('untag forms');
    await tag(id, 'untag-bare');
    await tag(id, `untag/digested@${DIGEST}`);
    const bare = (await server.data(UNTAG, { reference: 'untag-bare' })).untagImage;
    assert.deepEqual(bare, { reference: 'untag-bare:latest', image: { id, repoTags: [] } });
    const digested = (await server.data(UNTAG, { reference: `untag/digested@${DIGEST}` }))
      .untagImage;
    assert.equal(digested.reference, `untag/digested@${DIGEST}`);
    assert.deepEqual((await imageNamed(id)).repoDigests, []);
  });

  it('when the reference names nothing, then it is NOT_FOUND as given', async () => {
    const id = await newImage('untag missing');
    await tag(id, 'untag/missing:1');
    for (const reference of ['untag/missing:2', 'untag/missing', 'docker.io/untag/never:1']) {
      const error = onlyError(await server.gql(UNTAG, { reference }));
      assert.deepEqual(error, { code: 'NOT_FOUND', message: `No such image: ${reference}` });
    }
    assert.deepEqual((await imageNamed(id)).repoTags, ['untag/missing:1']);
  });

  it('when the reference is not valid, then it is INVALID_REFERENCE', async () => {
    const error = onlyError(await server.gql(UNTAG, { reference: 'Untag/App:1' }));
    assert.equal(error.code, 'INVALID_REFERENCE');
    assert.match(error.message, /must be lowercase/);
  });
});

describe('names on an image', () => {
  it('when an image has many names, then repoTags and references are sorted', async () => {
    const id = await newImage('sorted');
    const names = [
      'sorted/zz:1',
      'ghcr.io/sorted/api:1.4',
      'sorted-official:22.04',
      'localhost:5000/sorted:x',
      'sorted/aa:10',
      'sorted/aa:2',
      'sorted-official:100',
    ];
    for (const name of names) await tag(id, name);
    const image = await imageNamed(id);
    assert.deepEqual(image.repoTags, [
      'ghcr.io/sorted/api:1.4',
      'localhost:5000/sorted:x',
      'sorted-official:100',
      'sorted-official:22.04',
      'sorted/aa:10',
      'sorted/aa:2',
      'sorted/zz:1',
    ]);
    assert.deepEqual(
      image.references.map((reference: any) => reference.name),
      [
        'docker.io/library/sorted-official:100',
        'docker.io/library/sorted-official:22.04',
        'docker.io/sorted/aa:10',
        'docker.io/sorted/aa:2',
        'docker.io/sorted/zz:1',
        'ghcr.io/sorted/api:1.4',
        'localhost:5000/sorted:x',
      ],
    );
  });

  it('when images gain and lose tags and children, then dangling follows', async () => {
    const parent = await newImage('dangling', 'parent');
    const child = await newImage('dangling', 'child');
    const leaf = await newImage('dangling', 'leaf');
    const digested = await newImage('dangling', 'digested');
    await server.setParent(child, parent);
    await tag(child, 'dangling/child:1');
    await tag(digested, `dangling/digested@${DIGEST}`);
    const dangling = async () => {
      const answer: boolean[] = [];
      for (const id of [parent, child, leaf, digested])
        answer.push((await imageNamed(id)).dangling);
      return answer;
    };
    // An untagged parent is not dangling, nor a tagged leaf; an untagged leaf is.
    assert.deepEqual(await dangling(), [false, false, true, false]);
    await tag(leaf, 'dangling/leaf:1');
    assert.deepEqual(await dangling(), [false, false, false, false]);
    await server.data(UNTAG, { reference: 'dangling/leaf:1' });
    await server.data(UNTAG, { reference: 'dangling/child:1' });
    assert.deepEqual(await dangling(), [false, true, true, false]);
    await server.setParent(child, null);
    assert.deepEqual(await dangling(), [true, true, true, false]);
  });
});

describe('Query.reference', () => {
  it('when a name is stored, then any form finds it; otherwise null', async () => {
    const id = await newImage('reference query');
    const tagged = await tag(id, 'refquery/app:1');
    for (const name of [
      'refquery/app:1',
      'docker.io/refquery/app:1',
      'index.docker.io/refquery/app:1',
    ]) {
      assert.deepEqual(await referenceNamed(name), tagged.reference);
    }
    assert.equal(await referenceNamed('refquery/app:2'), null);
    assert.equal(await referenceNamed('ghcr.io/refquery/app:1'), null);
    assert.equal(await referenceNamed(`refquery/app@${DIGEST}`), null);
  });

  it('when a bare name is asked for, then it means :latest', async () => {
    const id = await newImage('reference bare');
    await tag(id, 'refbare/only:1');
    assert.equal(await referenceNamed('refbare/only'), null, 'only :1 exists');
    const tagged = await tag(id, 'refbare/latest');
    assert.equal(tagged.reference.name, 'docker.io/refbare/latest:latest');
    assert.deepEqual(await referenceNamed('refbare/latest'), tagged.reference);
    assert.deepEqual(await referenceNamed('refbare/latest:latest'), tagged.reference);
  });

  it('when a name is read with its image, config and layers, then in one statement', async () => {
    const id = await newImage('reference one statement');
    await tag(id, 'refone/app:1');
    const before = server.statements;
    const { reference } = await server.data(
      `{ reference(name: "refone/app:1") { name image { id rawConfig layers { chainId } } } }`,
    );
    assert.equal(server.statements - before, 1);
    assert.equal(reference.image.id, id);
    assert.equal(reference.image.layers.length, 1);
  });

  it('when the name is not a valid reference, then it is INVALID_REFERENCE', async () => {
    const error = onlyError(await server.gql(REFERENCE, { name: 'refquery/App:1' }));
    assert.equal(error.code, 'INVALID_REFERENCE');
    assert.match(error.message, /must be lowercase/);
  });
});

describe('Query.references', () => {
  it('when references are paged, then by name, with totalCount and cursors', async () => {
    const id = await newImage('paging');
    const tags = ['e', 'b', 'd', 'a', 'c'];
    for (const t of tags) await tag(id, `paging/items:${t}`);
    const names = [...tags].sort().map((t) => `docker.io/paging/items:${t}`);
    const pages: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await references({ first: 2, after, repository: 'paging/items' });
      assert.equal(page.totalCount, 5);
      pages.push(page.edges.map((edge: any) => edge.node.name));
      assert.equal(page.pageInfo.endCursor, page.edges.at(-1)?.cursor ?? null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    assert.deepEqual(pages, [names.slice(0, 2), names.slice(2, 4), names.slice(4)]);
    const last = await references({ last: 2, repository: 'paging/items' });
    assert.deepEqual(
      last.edges.map((edge: any) => edge.node.name),
      names.slice(3),
    );
    assert.equal(last.pageInfo.hasPreviousPage, true);
  });

  it('when every reference is listed, then by name, totalCount all of them', async () => {
    const id = await newImage('listing');
    for (const name of ['listing/b:1', 'ghcr.io/listing/a:1', 'listing-official:1']) {
      await tag(id, name);
    }
    const all: any = await references({ first: 1000 });
    const names = all.edges.map((edge: any) => edge.node.name);
    assert.equal(all.totalCount, names.length);
    assert.equal(all.pageInfo.hasNextPage, false);
    assert.deepEqual(names, [...names].sort());
    for (const name of [
      'docker.io/library/listing-official:1',
      'docker.io/listing/b:1',
      'ghcr.io/listing/a:1',
    ]) {
      assert.ok(names.includes(name), `${name} is listed`);
    }
  });

  it('when a repository is given in any form, then only its references are listed', async () => {
    const id = await newImage('repository filter');
    const official = ['repofilter:1', 'repofilter:2', `repofilter@${DIGEST}`];
    const others = ['repofilter-more:1', 'acme/repofilter:1', 'ghcr.io/library/repofilter:1'];
    for (const name of [...official, ...others]) await tag(id, name);
    const expected = ['repofilter:1', 'repofilter:2', `repofilter@${DIGEST}`];
    for (const repository of [
      'repofilter',
      'library/repofilter',
      'docker.io/repofilter',
      'docker.io/library/repofilter',
      'index.docker.io/library/repofilter',
    ]) {
      const listed = await references({ repository });
      assert.deepEqual(
        listed.edges.map((edge: any) => edge.node.familiarName),
        expected,
        repository,
      );
      assert.equal(listed.totalCount, 3, repository);
    }
    const ghcr = await references({ repository: 'ghcr.io/library/repofilter' });
    assert.deepEqual(
      ghcr.edges.map((edge: any) => edge.node.name),
      ['ghcr.io/library/repofilter:1'],
    );
    const acme = await references({ repository: 'acme/repofilter' });
    assert.deepEqual(
      acme.edges.map((edge: any) => edge.node.name),
      ['docker.io/acme/repofilter:1'],
    );
    const none = await references({ repository: 'repofilter-none' });
    assert.deepEqual([none.totalCount, none.edges], [0, []]);
  });

  it('when the repository is not a valid name, then it is INVALID_REFERENCE', async () => {
    const error = onlyError(await server.gql(REFERENCES, { repository: 'Repo/Filter' }));
    assert.equal(error.code, 'INVALID_REFERENCE');
  });
});

describe('Query.image by name', () => {
  it('when asked by tag, repo digest or bare name, then the name finds it', async () => {
    const id = await newImage('image by name');
    await tag(id, 'imgname/app:1');
    await tag(id, `imgname/app@${DIGEST}`);
    await tag(id, 'imgname/bare');
    for (const name of [
      'imgname/app:1',
      'docker.io/imgname/app:1',
      `imgname/app@${DIGEST}`,
      'imgname/bare',
      'imgname/bare:latest',
    ]) {
      assert.equal((await imageNamed(name)).id, id, name);
    }
  });

  it('when a hex name is also an ID prefix, then the name comes first', async () => {
    const shadowed = await newImage('hex name', 'shadowed');
    const named = await newImage('hex name', 'named');
    const prefix = shortId(shadowed);
    assert.equal((await imageNamed(prefix)).id, shadowed, 'a prefix before it is a name');
    await tag(named, prefix);
    assert.equal((await imageNamed(prefix)).id, named);
    assert.equal((await imageNamed(`${prefix}:latest`)).id, named);
    assert.equal((await imageNamed(`sha256:${prefix}`)).id, shadowed);
    assert.equal((await imageNamed(shadowed)).id, shadowed);
    // tagImage reads its image argument the same way.
    assert.equal((await tag(prefix, 'hexname/copy:1')).image.id, named);
    await server.data(UNTAG, { reference: prefix });
    assert.equal((await imageNamed(prefix)).id, shadowed, 'a prefix again');
  });

  it('when a hex name is an ambiguous prefix, then the name still wins', async () => {
    // Images until two share their first two hex digits: that prefix is ambiguous.
    const seen = new Map<string, string>();
    let prefix: string | null = null;
    const named = await newImage('ambiguous', 'named');
    for (let n = 0; prefix === null; n++) {
      const id = await newImage('ambiguous', `${n}`);
      const start = id.slice(7, 9);
      if (seen.has(start)) prefix = start;
      else seen.set(start, id);
    }
    const ID = 'query ($id: String!) { image(id: $id) { id } }';
    assert.equal(onlyError(await server.gql(ID, { id: prefix })).code, 'AMBIGUOUS_ID');
    await tag(named, prefix);
    assert.equal((await server.data(ID, { id: prefix })).image.id, named);
    assert.equal(onlyError(await server.gql(ID, { id: `sha256:${prefix}` })).code, 'AMBIGUOUS_ID');
  });

  it('when a non-hex name names nothing, then INVALID_ID; unknown hex is null', async () => {
    const id = await newImage('image unknown name');
    await tag(id, 'unknownname/app:1');
    for (const name of [
      'unknownname/app:2',
      'unknownname/app',
      `unknownname/app@${DIGEST}`,
      'no-such-name',
      'Not A Name',
    ]) {
      const error = onlyError(await server.gql(IMAGE, { id: name }));
      assert.equal(error.code, 'INVALID_ID', name);
      assert.ok(error.message.startsWith(`invalid ID "${name}": `), error.message);
      // A valid name says it names nothing; what is no name gets the ID rule alone.
      assert.equal(/no image has this name/.test(error.message), name !== 'Not A Name', name);
    }
    const ID = 'query ($id: String!) { image(id: $id) { id } }';
    assert.equal((await server.data(ID, { id: '0123456789abcdef0123' })).image, null);
  });
});
