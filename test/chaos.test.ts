import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistory, digest, type Entry, type Op, type Outcome } from './chaos/history.js';
import { describeReport, FAIL_FAST_MS, runChaos } from './chaos/run.js';
import { clusterUnavailable } from './support/cluster.js';
import { makeConfig } from './support/configs.js';
import { serverUrl } from './support/database.js';

const config = makeConfig(['base', 'app']);
const id = digest(config);
const ok = (data: unknown): Outcome => ({ kind: 'ok', data });
const entry = (op: Op, start: number, end: number, outcome: Outcome): Entry => ({
  client: 0,
  op,
  start,
  end,
  outcome,
});
const create = (
  start: number,
  end: number,
  outcome: Outcome = ok({ createImage: { image: { id } } }),
) => entry({ kind: 'create', config, parent: null }, start, end, outcome);
const remove = (
  start: number,
  end: number,
  outcome: Outcome = ok({ deleteImage: { deletedImageId: id } }),
) => entry({ kind: 'delete', id }, start, end, outcome);
const unavailable: Outcome = {
  kind: 'error',
  codes: ['DATABASE_UNAVAILABLE'],
  messages: ['away'],
  status: 503,
};

describe('the chaos checker', () => {
  it('when an acknowledged create is missing, no delete after it, then it says it was lost', () => {
    assert.match(
      checkHistory([create(0, 5)], new Map(), FAIL_FAST_MS).join(),
      /acknowledged create/,
    );
    assert.deepEqual(checkHistory([create(0, 5)], new Map([[id, config]]), FAIL_FAST_MS), []);
  });

  it('when a delete, answered or not, may have followed a create, then either end is fair', () => {
    for (const after of [
      remove(6, 9),
      remove(3, 9),
      remove(6, 9, unavailable),
      remove(6, 9, { kind: 'none', reason: 'ECONNREFUSED' }),
    ]) {
      assert.deepEqual(checkHistory([create(0, 5), after], new Map(), FAIL_FAST_MS), []);
    }
  });

  it('when an acked delete is undone, bytes change or an image appears, then it says so', () => {
    assert.match(
      checkHistory([create(0, 5), remove(6, 9)], new Map([[id, config]]), FAIL_FAST_MS).join(),
      /acknowledged delete/,
    );
    assert.match(
      checkHistory([create(0, 5)], new Map([[id, `${config} `]]), FAIL_FAST_MS).join(),
      /stored bytes differ/,
    );
    assert.match(
      checkHistory([], new Map([[id, config]]), FAIL_FAST_MS).join(),
      /no client sent it/,
    );
  });

  it('when an answer is slow, uncoded, internal, wrong or 200 mid-outage, then it says so', () => {
    const problems = (e: Entry) =>
      checkHistory([e], new Map([[id, config]]), FAIL_FAST_MS).join('\n');
    assert.match(problems(create(0, FAIL_FAST_MS + 1)), /answered after/);
    assert.match(
      problems(
        create(0, 5, {
          kind: 'error',
          codes: [null],
          messages: ['Unexpected error.'],
          status: 500,
        }),
      ),
      /without a code/,
    );
    assert.match(
      problems(create(0, 5, ok({ createImage: { image: { id: digest('other') } } }))),
      /created sha256/,
    );
    assert.match(
      problems(
        entry({ kind: 'read', id, query: '' }, 0, 5, {
          kind: 'error',
          codes: ['AMBIGUOUS_ID'],
          messages: [''],
          status: 200,
        }),
      ),
      /AMBIGUOUS_ID for the full ID/,
    );
    assert.match(
      problems(
        entry(
          { kind: 'read', id, query: '' },
          0,
          5,
          ok({ image: { id, rawConfig: 'other bytes' } }),
        ),
      ),
      /hashes elsewhere/,
    );
    assert.match(problems(create(0, 5, { ...unavailable, status: 200 })), /not 503/);
  });
});

describe('chaos', () => {
  // The run brings its own cluster, so the backend under test does not matter: it runs once,
  // in the PostgreSQL pass.
  const skip =
    clusterUnavailable() ?? (serverUrl === null && 'runs once, in the PostgreSQL pass of npm test');
  it('when random clients face database restarts, backend and server kills, then promises hold', {
    skip,
    timeout: 180_000,
  }, async () => {
    const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const report = await runChaos({
      seconds: Number(process.env.CHAOS_SECONDS ?? 40),
      seed,
      clients: 16,
    });
    console.log(describeReport(report));
    assert.ok(report.faults.length >= 3, 'every kind of fault was injected');
    assert.ok(report.operations > 1000);
    assert.deepEqual(report.problems, [], `replay with npm run chaos -- --seed ${seed}`);
  });
});
