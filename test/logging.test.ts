import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { onlyError, useBareServer } from './support/harness.js';
import type { Answer } from './support/server.js';

// pino's levels: 50 is error, 60 fatal.
const ERROR = 50;

const bare = useBareServer();

/** Sends one request and returns its answer with the lines the server logged for it. */
async function logged(
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ answer: Answer; lines: Record<string, any>[] }> {
  const start = bare.server.lines.length;
  const answer = await bare.server.gql(query, variables);
  // The request line is written before the answer is sent.
  return { answer, lines: bare.server.lines.slice(start) };
}

async function create(config: string): Promise<string> {
  const answer = await bare.server.gql(
    'mutation ($c: String!) { createImage(config: $c) { image { id } } }',
    { c: config },
  );
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data.createImage.image.id;
}

describe('logging', () => {
  it('when an error is expected, then its code is in the request line, no error log', async () => {
    const parent = await create(makeConfig(['log'], 'parent'));
    const child = await create(makeConfig(['log', 'child'], 'child'));
    const linked = await bare.server.gql(
      'mutation ($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }',
      { id: child, p: parent },
    );
    assert.equal(linked.errors, undefined, JSON.stringify(linked.errors));
    // Among 17 images, two IDs begin with the same hex digit: that digit is an ambiguous prefix.
    const ids = [
      parent,
      child,
      ...(await Promise.all(
        Array.from({ length: 15 }, (_, i) => create(makeConfig(['log'], `more ${i}`))),
      )),
    ];
    const digit = ids.map((id) => id[7]!).find((d, i, all) => all.indexOf(d) !== i)!;

    const cases: [code: string, query: string, variables?: Record<string, unknown>][] = [
      ['INVALID_ID', '{ image(id: "zz") { id } }'],
      ['BAD_USER_INPUT', '{ images(first: 5000) { totalCount } }'],
      ['NOT_FOUND', 'mutation { deleteImage(id: "sha256:0000000000000000") { deletedImageId } }'],
      [
        'CYCLE',
        'mutation ($id: String!, $p: String) { setParent(id: $id, parent: $p) { image { id } } }',
        { id: parent, p: child },
      ],
      ['AMBIGUOUS_ID', 'query ($id: String!) { image(id: $id) { id } }', { id: digit }],
    ];
    const seen = [];
    for (const [code, query, variables] of cases) {
      const { answer, lines } = await logged(query, variables);
      assert.equal(onlyError(answer).code, code);
      seen.push({
        code,
        requestLines: lines.filter((line) => line.msg === 'request').map((line) => line.errors),
        errorLines: lines
          .filter((line) => line.level >= ERROR)
          .map((line) => `${line.level} ${line.msg}`),
      });
    }
    assert.deepEqual(
      seen,
      cases.map(([code]) => ({ code, requestLines: [[code]], errorLines: [] })),
    );
  });

  it('when an error is unexpected, then it is logged once with its stack and masked', async () => {
    const id = await create(makeConfig(['broken', 'store'], 'its layers cannot be read'));
    // A store the server cannot read: a table missing, as after a botched migration.
    await bare.db.sql`alter table image_layers rename to image_layers_away`;
    let result: Awaited<ReturnType<typeof logged>>;
    try {
      result = await logged('query ($id: String!) { image(id: $id) { id layers { chainId } } }', {
        id,
      });
    } finally {
      await bare.db.sql`alter table image_layers_away rename to image_layers`;
    }
    const { answer, lines } = result;
    const error = onlyError(answer);
    assert.equal(error.message, 'Unexpected error.');
    assert.doesNotMatch(
      JSON.stringify(answer),
      /image_layers/,
      'the client learns nothing of the store',
    );
    const errors = lines.filter((line) => line.level >= ERROR);
    assert.equal(errors.length, 1, `one error line, got ${JSON.stringify(errors)}`);
    assert.equal(errors[0]!.level, ERROR);
    assert.equal(errors[0]!.msg, 'unexpected error');
    assert.match(errors[0]!.err.message, /image_layers/);
    assert.match(errors[0]!.err.stack, /\n\s+at /, 'with its stack');
    assert.deepEqual(lines.find((line) => line.msg === 'request')?.errors, [error.code]);
    // The store reads again once the table is back.
    const { answer: again } = await logged(
      'query ($id: String!) { image(id: $id) { layers { chainId } } }',
      { id },
    );
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
  });
});
