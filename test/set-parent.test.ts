import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';
import { shortId } from './support/ids.js';

const server = useTestServer();
const SET_PARENT = `mutation ($id: String!, $parent: String) {
  setParent(id: $id, parent: $parent) { image { id parent { id } } } }`;
const CHILDREN = 'query ($id: String!) { image(id: $id) { children { id } } }';

const childrenOf = async (id: string) =>
  (await server.data(CHILDREN, { id })).image.children.map((child: any) => child.id);

/** Stores an image per name, with configs only this test uses, and gives their IDs by name. */
async function images<Name extends string>(test: string, ...names: Name[]) {
  const ids = {} as Record<Name, string>;
  for (const name of names) ids[name] = await server.create(makeConfig([name], test));
  return ids;
}

describe('setParent', () => {
  it('when a parent is set, then the image points at it and the parent lists it', async () => {
    const { a, b } = await images('set', 'a', 'b');
    const { setParent } = await server.data(SET_PARENT, { id: b, parent: a });
    assert.deepEqual(setParent.image, { id: b, parent: { id: a } });
    assert.deepEqual(await childrenOf(a), [b]);
  });

  it('when a new parent is set, then the image moves and its old parent drops it', async () => {
    const { a, b, c } = await images('moved', 'a', 'b', 'c');
    await server.setParent(b, a);
    await server.data(SET_PARENT, { id: b, parent: c });
    assert.deepEqual(await childrenOf(a), []);
    assert.deepEqual(await childrenOf(c), [b]);
  });

  it('when the parent is set to null, then the link is cleared', async () => {
    const { b, c } = await images('cleared', 'b', 'c');
    await server.setParent(b, c);
    const { setParent } = await server.data(SET_PARENT, { id: b, parent: null });
    assert.equal(setParent.image.parent, null);
    assert.deepEqual(await childrenOf(c), []);
  });

  it('when the parent is given by prefix, then it is resolved like any ID', async () => {
    const { a, d } = await images('by prefix', 'a', 'd');
    const { setParent } = await server.data(SET_PARENT, { id: shortId(d), parent: shortId(a) });
    assert.deepEqual(setParent.image, { id: d, parent: { id: a } });
  });

  it('when either image does not exist, then it is NOT_FOUND and nothing changes', async () => {
    const { a } = await images('missing', 'a');
    const before = await server.counts();
    for (const [id, parent, missing] of [
      ['eeee', a, 'eeee'],
      [a, 'eeee', 'eeee'],
    ] as const) {
      const error = onlyError(await server.gql(SET_PARENT, { id, parent }));
      assert.equal(error.code, 'NOT_FOUND');
      assert.equal(error.message, `No such image: ${missing}`);
    }
    assert.deepEqual(await server.counts(), before);
  });

  it('when an image would become its own parent, then it is CYCLE', async () => {
    const { a } = await images('own parent', 'a');
    assert.equal(onlyError(await server.gql(SET_PARENT, { id: a, parent: a })).code, 'CYCLE');
  });

  it('when an image would parent its ancestor, then it is CYCLE and nothing changes', async () => {
    const { a, b, d } = await images('ancestor', 'a', 'b', 'd');
    await server.setParent(d, a);
    await server.data(SET_PARENT, { id: b, parent: d }); // a <- d <- b
    const error = onlyError(await server.gql(SET_PARENT, { id: a, parent: b }));
    assert.equal(error.code, 'CYCLE');
    assert.match(error.message, /would make a cycle/);
    const PARENT = 'query ($id: String!) { image(id: $id) { parent { id } } }';
    const { image } = await server.data(PARENT, { id: a });
    assert.equal(image.parent, null);
  });

  it('when two images are set under each other at once, then one wins, one is CYCLE', async () => {
    for (let round = 0; round < 25; round++) {
      const x = await server.create(makeConfig(['x'], `race ${round}`));
      const y = await server.create(makeConfig(['y'], `race ${round}`));
      const answers = await Promise.all([
        server.gql(SET_PARENT, { id: x, parent: y }),
        server.gql(SET_PARENT, { id: y, parent: x }),
      ]);
      const failed = answers.filter((answer) => answer.errors);
      assert.equal(failed.length, 1, `round ${round}: ${JSON.stringify(answers)}`);
      assert.equal(onlyError(failed[0]!).code, 'CYCLE');
      const [row] = await server.sql`
        select count(*)::int as n from images where id in (${x}, ${y}) and parent_id is not null`;
      assert.equal(row!.n, 1);
    }
  });
});
