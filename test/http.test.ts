import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useBareServer } from './support/harness.js';

const bare = useBareServer();

describe('HTTP', () => {
  it('when /health is asked, then it answers 200', async () => {
    const response = await fetch(new URL('/health', bare.server.url));
    assert.equal(response.status, 200);
  });

  it('when a browser opens /graphql, then GraphiQL comes wholly from this server', async () => {
    const response = await fetch(bare.server.url, { headers: { accept: 'text/html' } });
    const html = await response.text();
    assert.equal(response.status, 200);
    assert.match(html, /graphiql/i);
    assert.doesNotMatch(html, /<script[^>]+src=["']https?:/);
    assert.doesNotMatch(html, /<link[^>]+href=["']https?:/);
  });

  it('when something fails unexpectedly, then it is masked and its cause logged', async () => {
    await bare.db.sql`alter table images rename to images_away`;
    try {
      const answer = await bare.server.gql('{ images { totalCount } }');
      assert.equal(answer.errors?.[0]?.message, 'Unexpected error.');
      assert.equal(answer.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR');
      assert.doesNotMatch(JSON.stringify(answer), /images_away|relation/);
      assert.equal(bare.server.errors.length, 1);
      assert.match(bare.server.errors[0].message, /relation "images" does not exist/);
    } finally {
      await bare.db.sql`alter table images_away rename to images`;
    }
  });
});
