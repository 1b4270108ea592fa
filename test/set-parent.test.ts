import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';

const server = useTestServer();
const SET_PARENT = 'mutation ($id: String!, $parent: String) { setParent(id: $id, parent: $parent) { image { id parent { id } } } }';
const CHILDREN = 'query ($id: String!) { image(id: $id) { children { id } } }';

const ids: Record<string, string> = {};
const childrenOf = async (name: string) =>
  (await server.data(CHILDREN, { id: ids[name] })).image.children.map((child: any) => child.id);

describe('setParent', () => {
  before(async () => {
    for (const name of ['a', 'b', 'c', 'd']) ids[name] = await server.create(makeConfig([name]));
  });

  it('when a parent is set, then the image points at it and the parent lists it', async () => {
    const { setParent } = await server.data(SET_PARENT, { id: ids.b, parent: ids.a });
    assert.deepEqual(setParent.image, { id: ids.b, parent: { id: ids.a } });
    assert.deepEqual(await childrenOf('a'), [ids.b]);
  });

  it('when a new parent is set, then the image moves and the old parent no longer lists it', async () => {
    await server.data(SET_PARENT, { id: ids.b, parent: ids.c });
    assert.deepEqual(await childrenOf('a'), []);
    assert.deepEqual(await childrenOf('c'), [ids.b]);
  });

  it('when the parent is set to null, then the link is cleared', async () => {
    const { setParent } = await server.data(SET_PARENT, { id: ids.b, parent: null });
    assert.equal(setParent.image.parent, null);
    assert.deepEqual(await childrenOf('c'), []);
  });

  it('when the parent is given by prefix, then it is resolved like any ID', async () => {
    const { setParent } = await server.data(SET_PARENT, { id: ids.d!.slice(7, 19), parent: ids.a!.slice(7, 19) });
    assert.deepEqual(setParent.image, { id: ids.d, parent: { id: ids.a } });
  });

  it('when either image does not exist, then it is NOT_FOUND and nothing changes', async () => {
    const before = await server.counts();
    for (const [id, parent, missing] of [['eeee', ids.a, 'eeee'], [ids.a, 'eeee', 'eeee']] as const) {
      const error = onlyError(await server.gql(SET_PARENT, { id, parent }));
      assert.equal(error.code, 'NOT_FOUND');
      assert.equal(error.message, `No such image: ${missing}`);
    }
    assert.deepEqual(await server.counts(), before);
  });

  it('when an image would become its own parent, then it is CYCLE', async () => {
    assert.equal(onlyError(await server.gql(SET_PARENT, { id: ids.a, parent: ids.a })).code, 'CYCLE');
  });

  it('when an image would become the parent of its ancestor, then it is CYCLE and nothing changes', async () => {
    await server.data(SET_PARENT, { id: ids.b, parent: ids.d }); // a <- d <- b
    const error = onlyError(await server.gql(SET_PARENT, { id: ids.a, parent: ids.b }));
    assert.equal(error.code, 'CYCLE');
    assert.match(error.message, /would make a cycle/);
    const { image } = await server.data('query ($id: String!) { image(id: $id) { parent { id } } }', { id: ids.a });
    assert.equal(image.parent, null);
  });

  it('when two images are made each other\'s parent at once, then exactly one wins and the other is CYCLE', async () => {
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
