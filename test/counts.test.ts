import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf } from '../src/domain/digest.js';
import { verifyStore } from '../src/store/verify.js';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';

const server = useTestServer();
const COUNTS = `{ all: images(first: 1) { totalCount }
  heads: images(first: 1, headsOnly: true) { totalCount } }`;
const CREATE_UNDER =
  'mutation ($c: String!, $p: String) { createImage(config: $c, parent: $p) { image { id } } }';
const SET_PARENT =
  'mutation ($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';
const IMPORT = 'mutation ($images: [ImageImport!]!) { importImages(images: $images) { created } }';

/** The counts the API answers, and the same counted row by row. */
async function counts() {
  const data = await server.data(COUNTS);
  const [actual] = await server.sql<{ images: number; heads: number }[]>`
    select count(*)::int as images,
      count(*) filter (where not exists (select from images c where c.parent_id = i.id))::int
        as heads
    from images i`;
  return {
    answered: { images: data.all.totalCount, heads: data.heads.totalCount },
    actual: { ...actual! },
  };
}

describe('counts kept by the writes', () => {
  it('when images are created, moved and deleted, then both counts follow each write', async () => {
    const root = await server.create(makeConfig(['count-root']));
    const child = (await server.data(CREATE_UNDER, { c: makeConfig(['count-root', 'a']), p: root }))
      .createImage.image.id;
    const other = await server.create(makeConfig(['count-other']));
    const imported = makeConfig(['count-import']);
    const steps: [string, () => Promise<unknown>][] = [
      [
        'an import of a parent with its child, and of a child of a stored head',
        () =>
          server.data(IMPORT, {
            images: [
              { config: makeConfig(['count-import', 'c']), parent: digestOf(imported) },
              { config: imported },
              { config: makeConfig(['count-other', 'c']), parent: other },
            ],
          }),
      ],
      [
        'a second child',
        () => server.data(CREATE_UNDER, { c: makeConfig(['count-root', 'b']), p: root }),
      ],
      ['a move to another parent', () => server.data(SET_PARENT, { id: child, p: other })],
      ['a move to no parent', () => server.data(SET_PARENT, { id: child, p: null })],
      ['a move back', () => server.data(SET_PARENT, { id: child, p: root })],
      ['a delete of a child', () => server.data(DELETE, { id: child })],
      ['a delete of a parent', () => server.data(DELETE, { id: root })],
    ];
    for (const [step, write] of steps) {
      await write();
      const { answered, actual } = await counts();
      assert.deepEqual(answered, actual, step);
    }
    assert.deepEqual(await verifyStore(server.sql), []);
  });

  it('when a filter is set, then the count still counts what it selects', async () => {
    const data = await server.data(
      `{ images(first: 1, headsOnly: true, filter: { os: "linux" }) { totalCount } }`,
    );
    const [row] = await server.sql<{ n: number }[]>`
      select count(*)::int as n from images i
      where i.os = 'linux' and not exists (select from images c where c.parent_id = i.id)`;
    assert.equal(data.images.totalCount, row!.n);
  });

  it('when eight writers create, move and delete under shared parents at once, then the counts are exact', async () => {
    for (let round = 0; round < 3; round++) {
      const parents = await Promise.all(
        ['p', 'q', 'r'].map((name) => server.create(makeConfig([`par-${round}-${name}`]))),
      );
      await Promise.all(
        Array.from({ length: 8 }, async (_, writer) => {
          for (let step = 0; step < 12; step++) {
            const parent = parents[(writer + step) % parents.length]!;
            // A parent taken away meanwhile refuses the write (NOT_FOUND): that is all.
            const created = await server.gql(CREATE_UNDER, {
              c: makeConfig([`par-${round}-w${writer}-${step}`]),
              p: parent,
            });
            const id = created.data?.createImage.image.id;
            if (id === undefined) {
              assert.equal(created.errors?.[0]?.extensions?.code, 'NOT_FOUND');
              continue;
            }
            if (step % 3 === 1) {
              await server.gql(SET_PARENT, {
                id,
                p: parents[(writer + step + 1) % parents.length],
              });
            }
            if (step % 3 === 2) await server.data(DELETE, { id });
          }
          // One writer takes a parent away while the others write under it.
          if (writer === 0 && round === 1) await server.gql(DELETE, { id: parents[2] });
        }),
      );
      const { answered, actual } = await counts();
      assert.deepEqual(answered, actual, `round ${round}`);
      assert.deepEqual(await verifyStore(server.sql), [], `round ${round}`);
    }
  });
});
