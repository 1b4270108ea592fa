import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { PoolOptions } from '../../src/store/pool.js';
import { freshDatabase } from './database.js';
import { type Answer, startServer } from './server.js';

type Server = Awaited<ReturnType<typeof startServer>>;
type Db = Awaited<ReturnType<typeof freshDatabase>>;

/**
 * One fresh database and one server for the test file that calls it, over
 * real HTTP. `statements` counts the SQL statements the server has sent.
 */
export function useTestServer(
  options: PoolOptions = {},
  app: Parameters<typeof startServer>[1] = {},
) {
  let db: Db;
  let server: Server;
  const harness = {
    statements: 0,
    get sql() {
      return db.sql;
    },
    get lines() {
      return server.lines;
    },
    get url() {
      return server.url;
    },
    gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<Answer<T>> {
      return server.gql<T>(query, variables);
    },
    /** Runs a query that must succeed and returns its data. */
    async data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const answer = await server.gql<T>(query, variables);
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      return answer.data!;
    },
    /** Stores a config and returns its ID. */
    async create(config: string): Promise<string> {
      const data = await harness.data(CREATE, { config });
      return data.createImage.image.id;
    },
    async setParent(id: string, parent: string | null): Promise<void> {
      await harness.data(
        `mutation ($id: String!, $parent: String) {
          setParent(id: $id, parent: $parent) { image { id } } }`,
        {
          id,
          parent,
        },
      );
    },
    /** Row counts of every table, to show that a failed write left nothing behind. */
    async counts(): Promise<Record<string, number>> {
      const [row] = await db.sql`
        select (select count(*)::int from images) as images,
               (select count(*)::int from layers) as layers,
               (select count(*)::int from image_layers) as refs,
               (select count(*)::int from images where parent_id is not null) as links`;
      return { ...row };
    },
  };
  before(async () => {
    const debug = (_connection: number, query: string) => {
      // postgres.js reads array types once per new connection: not the app's doing.
      if (!query.includes('pg_catalog.pg_type')) harness.statements++;
    };
    db = await freshDatabase({ ...options, debug });
    server = await startServer(db.sql, app);
  });
  after(async () => {
    await server.close();
    await db.close();
    assert.deepEqual(server.errors, [], 'the server logged unexpected errors');
  });
  return harness;
}

/**
 * A fresh database and a server for the test file that calls it, with no
 * check of what the server logs: for tests that read its log themselves.
 */
export function useBareServer() {
  const bare = {} as { db: Db; server: Server };
  before(async () => {
    bare.db = await freshDatabase();
    bare.server = await startServer(bare.db.sql);
  });
  after(async () => {
    await bare.server.close();
    await bare.db.close();
  });
  return bare;
}

/** The one error of a failed answer, with its code. */
export function onlyError(answer: Answer): { message: string; code: string | undefined } {
  assert.equal(answer.errors?.length, 1, `expected one error, got ${JSON.stringify(answer)}`);
  const [error] = answer.errors!;
  return { message: error!.message, code: error!.extensions?.code };
}

const CREATE =
  'mutation ($config: String!) { createImage(config: $config) { image { id } created } }';
