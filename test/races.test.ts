import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectSocket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolOptions } from '../src/store/pool.js';
import { verifyStore } from '../src/store/verify.js';
import { makeConfig } from './support/configs.js';
import { onlyError, useTestServer } from './support/harness.js';

const server = useTestServer();
const CREATE = 'mutation ($c: String!) { createImage(config: $c) { image { id } created } }';
const SET_PARENT =
  'mutation ($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }';
const DELETE = 'mutation ($id: String!) { deleteImage(id: $id) { deletedImageId } }';

describe('races', () => {
  it('when 50 clients create one config at once, then all get the ID of one image', async () => {
    for (let round = 0; round < 30; round++) {
      const config = makeConfig(['shared', `r${round}`], `same ${round}`);
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => server.data(CREATE, { c: config })),
      );
      const ids = new Set(answers.map((answer) => answer.createImage.image.id));
      assert.equal(ids.size, 1);
      assert.equal(
        answers.filter((answer) => answer.createImage.created).length,
        1,
        `round ${round}: created once`,
      );
    }
    assert.deepEqual(await verifyStore(server.sql), []);
  });

  it('when two images are set under each other at once, then one wins, one is CYCLE', async () => {
    for (let round = 0; round < 100; round++) {
      const [a, b] = await Promise.all([
        server.create(makeConfig(['p'], `a${round}`)),
        server.create(makeConfig(['p'], `b${round}`)),
      ]);
      const answers = await Promise.all([
        server.gql(SET_PARENT, { id: a, p: b }),
        server.gql(SET_PARENT, { id: b, p: a }),
      ]);
      const failed = answers.filter((answer) => answer.errors);
      assert.equal(failed.length, 1, `round ${round}`);
      assert.equal(onlyError(failed[0]!).code, 'CYCLE');
    }
    assert.deepEqual(await verifyStore(server.sql), []);
  });

  it('when an image is deleted as one is set under it, then nothing points at it', async () => {
    for (let round = 0; round < 100; round++) {
      const [parent, child] = await Promise.all([
        server.create(makeConfig(['q'], `parent ${round}`)),
        server.create(makeConfig(['q', 'c'], `child ${round}`)),
      ]);
      const [linked] = await Promise.all([
        server.gql(SET_PARENT, { id: child, p: parent }),
        server.gql(DELETE, { id: parent }),
      ]);
      if (linked.errors) assert.equal(onlyError(linked).code, 'NOT_FOUND');
      const { image } = await server.data(
        'query ($id: String!) { image(id: $id) { parent { id } } }',
        { id: child },
      );
      assert.equal(image.parent, null, `round ${round}`);
    }
  });

  it('when an image is deleted during setParent, then OK or NOT_FOUND naming its ID', async () => {
    const rounds = Array.from({ length: 100 }, (_, round) => round);
    // Ten rounds at a time: the pool has ten connections, so they truly overlap.
    for (let batch = 0; batch < rounds.length; batch += 10) {
      await Promise.all(
        rounds.slice(batch, batch + 10).map(async (round) => {
          const [parent, child] = await Promise.all([
            server.create(makeConfig(['r'], `parent ${round}`)),
            server.create(makeConfig(['r', 'c'], `doomed child ${round}`)),
          ]);
          // Half the rounds name the child by a prefix: the error names what was asked.
          const asked = round % 2 === 0 ? child : child.slice(0, 23);
          const [linked, deleted] = await Promise.all([
            server.gql(SET_PARENT, { id: asked, p: parent }),
            server.gql(DELETE, { id: child }),
          ]);
          assert.equal(
            deleted.errors,
            undefined,
            `round ${round}: ${JSON.stringify(deleted.errors)}`,
          );
          if (linked.errors) {
            assert.deepEqual(
              onlyError(linked),
              { code: 'NOT_FOUND', message: `No such image: ${asked}` },
              `round ${round}`,
            );
          } else {
            assert.equal(linked.data.setParent.image.id, child, `round ${round}`);
          }
          const { image } = await server.data('query ($id: String!) { image(id: $id) { id } }', {
            id: child,
          });
          assert.equal(image, null, `round ${round}: the delete won in the end`);
        }),
      );
    }
    assert.deepEqual(await verifyStore(server.sql), []);
  });

  it('when images sharing layers come and go at once, then the layer store is exact', async () => {
    // Chains share their lower layers: base, base+mid, base+mid+top-n.
    const chains = Array.from({ length: 12 }, (_, i) =>
      i < 2 ? ['base', 'mid'].slice(0, i + 1) : ['base', 'mid', `top${i}`],
    );
    for (let round = 0; round < 30; round++) {
      const ids = await Promise.all(
        chains.map((layers) => server.create(makeConfig(layers, `set A ${round}`))),
      );
      await Promise.all([
        ...ids.map((id) => server.gql(DELETE, { id })),
        ...chains.map((layers) => server.gql(CREATE, { c: makeConfig(layers, `set B ${round}`) })),
      ]);
      const problems = await verifyStore(server.sql);
      assert.deepEqual(problems, [], `round ${round}`);
      // Set B is whole: every image holds its full chain.
      for (const answer of await Promise.all(
        chains.map((layers) => server.data(CREATE, { c: makeConfig(layers, `set B ${round}`) })),
      )) {
        assert.equal(answer.createImage.created, false);
      }
      await Promise.all(
        chains.map(async (layers) =>
          server.gql(DELETE, {
            id: (await server.data(CREATE, { c: makeConfig(layers, `set B ${round}`) })).createImage
              .image.id,
          }),
        ),
      );
    }
    assert.deepEqual(await verifyStore(server.sql), []);
    const [left] = await server.sql`
      select count(*)::int as n from layers l
      where not exists (select from image_layers r where r.chain_id = l.chain_id)`;
    assert.equal(left!.n, 0);
  });
});

// A create of a stored config finds the image stored, then reads it back. A
// delete that committed in between would leave it nothing to read (the store
// then runs the create again). Creates and deletes of one lineage now take
// turns on its lock, which closes that window; a link that holds back the read
// back checks that it stays closed, or is handled, under delay.
describe('races over a slow link to the database', () => {
  const link = slowLink(/from images i where i\.id = any\(/);
  const slow = useTestServer(link.options);

  it('when a config is re-created mid-delete, then it answers the image, no error', async () => {
    link.delayMs = 50;
    const rounds = Array.from({ length: 20 }, (_, round) => round);
    for (let batch = 0; batch < rounds.length; batch += 10) {
      await Promise.all(
        rounds.slice(batch, batch + 10).map(async (round) => {
          const config = makeConfig(['s', `s${round}`], `recreated ${round}`);
          const id = await slow.create(config);
          const [created, deleted] = await Promise.all([
            slow.gql(CREATE, { c: config }),
            slow.gql(DELETE, { id }),
          ]);
          assert.equal(
            created.errors,
            undefined,
            `round ${round}: ${JSON.stringify(created.errors)}`,
          );
          assert.equal(
            deleted.errors,
            undefined,
            `round ${round}: ${JSON.stringify(deleted.errors)}`,
          );
          assert.equal(created.data.createImage.image.id, id, `round ${round}`);
          // Stored anew only once the delete was done: then it is there to stay.
          const { image } = await slow.data('query ($id: String!) { image(id: $id) { id } }', {
            id,
          });
          if (created.data.createImage.created) {
            assert.deepEqual(image, { id }, `round ${round}`);
          }
        }),
      );
    }
    link.delayMs = 0;
    assert.deepEqual(await verifyStore(slow.sql), []);
  });
});

/**
 * Database connections on real sockets whose statements matching `pattern`
 * reach the database `delayMs` late, and everything sent after them with them,
 * in order. Statements are sent unprepared, so each carries its text.
 */
function slowLink(pattern: RegExp) {
  const link = {
    delayMs: 0,
    options: {
      prepare: false,
      async socket({ host, port }: { host: string[]; port: number[] }) {
        const socket = connectSocket(port[0]!, host[0]!);
        await once(socket, 'connect');
        const send = socket.write.bind(socket) as (chunk: Buffer, done?: () => void) => boolean;
        let held: Promise<void> | null = null;
        socket.write = ((chunk: Buffer, done?: () => void) => {
          const late = link.delayMs > 0 && pattern.test(chunk.toString('latin1'));
          if (held === null && !late) return send(chunk, done);
          const mine: Promise<void> = (held ?? Promise.resolve())
            .then(() => (late ? sleep(link.delayMs) : undefined))
            .then(() => {
              send(chunk, done);
              if (held === mine) held = null;
            });
          held = mine;
          return true;
        }) as typeof socket.write;
        return socket;
      },
    } as PoolOptions,
  };
  return link;
}
