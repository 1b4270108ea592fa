import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { launchChromium, noChromium } from './support/browser.js';
import { useTestServer } from './support/harness.js';
import { realConfig } from './support/real-configs.js';

const server = useTestServer();

describe('GraphiQL in a real browser', () => {
  it('when a person runs a query in /graphql, then the result shows, loading nothing external', {
    skip: noChromium,
  }, async () => {
    const image = realConfig('187f89fb');
    await server.create(image.raw);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const elsewhere: string[] = [];
      page.on('request', (request) => {
        if (
          !request.url().startsWith(new URL(server.url).origin) &&
          !/^(data|blob):/.test(request.url())
        ) {
          elsewhere.push(request.url());
        }
      });
      await page.goto(server.url);
      const editor = page.locator('.graphiql-query-editor .monaco-editor');
      await editor.waitFor({ timeout: 30_000 });
      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('{ image(id: "187f89fb") { id shortId layers { diffId } } }');
      await page.click('.graphiql-execute-button');
      // The response pane wraps long lines, so read it without the breaks.
      const shown = async () =>
        ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/\s+/g, '');
      await page
        .locator('.graphiql-response')
        .getByText('"187f89fb0852"')
        .waitFor({ timeout: 30_000 });
      assert.ok((await shown()).includes(`"id":"${image.id}"`), await shown());
      assert.ok((await shown()).includes('"shortId":"187f89fb0852"'));
      assert.deepEqual(elsewhere, []);

      // A subscription runs too (over Server-Sent Events): its result pane shows
      // the event of an image created meanwhile.
      await editor.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('subscription { imageEvents { type image { shortId } } }');
      await page.click('.graphiql-execute-button');
      const created = realConfig('03d7b3c6');
      const shortId = created.id.slice(7, 19);
      const deadline = performance.now() + 30_000;
      while (!(await shown()).includes(`"shortId":"${shortId}"`)) {
        assert.ok(performance.now() < deadline, `no event showed: ${await shown()}`);
        // Created (again) until the stream was open to see it.
        await server.gql('mutation ($id: String!) { deleteImage(id: $id) { deleted } }', {
          id: created.id,
        });
        await server.create(created.raw);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      assert.ok((await shown()).includes('"type":"CREATE"'), await shown());
    } finally {
      await browser.close();
    }
  });
});
