import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyStore } from '../src/store/verify.js';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';

const server = useTestServer();
const CREATE = 'mutation ($c: String!) { createImage(config: $c) { image { id } created } }';
const SET_PARENT = 'mutation ($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';

describe('races', () => {
  it('when 50 clients create the same config at once, then there is one image and every caller gets its ID', async () => {
    for (let round = 0; round < 30; round++) {
      const config = makeConfig(['shared', `r${round}`], `same ${round}`);
      const answers = await Promise.all(Array.from({ length: 50 }, () => server.data(CREATE, { c: config })));
      const ids = new Set(answers.map((answer) => answer.createImage.image.id));
      assert.equal(ids.size, 1);
      assert.equal(answers.filter((answer) => answer.createImage.created).length, 1, `round ${round}: created once`);
    }
    assert.deepEqual(await verifyStore(server.sql, 125), []);
  });

  it('when two images are made each other\'s parent at once, then never a cycle: one wins, the other is CYCLE', async () => {
    for (let round = 0; round < 100; round++) {
      const [a, b] = await Promise.all([server.create(makeConfig(['p'], `a${round}`)), server.create(makeConfig(['p'], `b${round}`))]);
      const answers = await Promise.all([server.gql(SET_PARENT, { id: a, p: b }), server.gql(SET_PARENT, { id: b, p: a })]);
      const failed = answers.filter((answer) => answer.errors);
      assert.equal(failed.length, 1, `round ${round}`);
      assert.equal(onlyError(failed[0]!).code, 'CYCLE');
    }
    assert.deepEqual(await verifyStore(server.sql, 125), []);
  });

  it('when an image is deleted while another is being set under it, then no image is left pointing at it', async () => {
    for (let round = 0; round < 100; round++) {
      const [parent, child] = await Promise.all([
        server.create(makeConfig(['q'], `parent ${round}`)),
        server.create(makeConfig(['q', 'c'], `child ${round}`)),
      ]);
      const [linked] = await Promise.all([server.gql(SET_PARENT, { id: child, p: parent }), server.gql(DELETE, { id: parent })]);
      if (linked.errors) assert.equal(onlyError(linked).code, 'NOT_FOUND');
      const { image } = await server.data('query ($id: String!) { image(id: $id) { parent { id } } }', { id: child });
      assert.equal(image.parent, null, `round ${round}`);
    }
  });

  it('when images sharing layers are created and deleted at once, then the layer store ends exact', async () => {
    // Chains share their lower layers: base, base+mid, base+mid+top-n.
    const chains = Array.from({ length: 12 }, (_, i) => (i < 2 ? ['base', 'mid'].slice(0, i + 1) : ['base', 'mid', `top${i}`]));
    for (let round = 0; round < 30; round++) {
      const ids = await Promise.all(chains.map((layers) => server.create(makeConfig(layers, `set A ${round}`))));
      await Promise.all([
        ...ids.map((id) => server.gql(DELETE, { id })),
        ...chains.map((layers) => server.gql(CREATE, { c: makeConfig(layers, `set B ${round}`) })),
      ]);
      const problems = await verifyStore(server.sql, 125);
      assert.deepEqual(problems, [], `round ${round}`);
      // Set B is whole: every image holds its full chain.
      for (const answer of await Promise.all(chains.map((layers) => server.data(CREATE, { c: makeConfig(layers, `set B ${round}`) })))) {
        assert.equal(answer.createImage.created, false);
      }
      await Promise.all(chains.map(async (layers) => server.gql(DELETE, { id: (await server.data(CREATE, { c: makeConfig(layers, `set B ${round}`) })).createImage.image.id })));
    }
    assert.deepEqual(await verifyStore(server.sql, 125), []);
    const [left] = await server.sql`select count(*)::int as n from layers l where not exists (select from image_layers r where r.chain_id = l.chain_id)`;
    assert.equal(left!.n, 0);
  });
});
