import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { withExplorer } from '../src/server/explorer.js';
import { launchChromium, noChromium } from './support/browser.js';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';
import { realConfig, realConfigs } from './support/real-configs.js';

// The page does not depend on the database behind the API: it runs once, on PostgreSQL.
const skip =
  (!process.env.DATABASE_URL && 'the browser scenarios run once, on PostgreSQL') || noChromium;

const TAG = `mutation ($image: String!, $reference: String!) {
  tagImage(image: $image, reference: $reference) { reference { name } } }`;
const IMPORT = `mutation ($images: [ImageImport!]!) { importImages(images: $images) { created } }`;
const BIG_LEVEL = 1_000;

describe('the explorer page, served at /', () => {
  const server = useTestServer();
  const off = useTestServer({}, { explorer: false });
  const origin = () => new URL(server.url).origin;

  it('when / is asked for, then the page comes, its assets cached for good', async () => {
    const page = await fetch(`${origin()}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(`${origin()}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    // GraphQL and GraphiQL stay where they were.
    const graphiql = await fetch(server.url, { headers: { accept: 'text/html' } });
    assert.match(await graphiql.text(), /graphiql/i);
  });

  it('when IMAGESTORE_EXPLORER is off, then / is not served and GraphQL still is', async () => {
    const page = await fetch(`${new URL(off.url).origin}/`);
    assert.equal(page.status, 404);
    await page.arrayBuffer();
    assert.deepEqual(await off.data('{ __typename }'), { __typename: 'Query' });
  });
});

describe('the explorer page, not built', () => {
  it('when web/dist is missing, then / says how to build it and GraphQL is untouched', async () => {
    const logged: string[] = [];
    const logger = pino({}, { write: (line: string) => void logged.push(line) });
    const graphql = (_req: IncomingMessage, res: ServerResponse) => res.writeHead(418).end();
    const server = createServer(withExplorer(graphql, logger, '/nonexistent/web/dist'));
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await fetch(`${origin}/`);
      assert.equal(page.status, 503);
      assert.match(await page.text(), /npm run build:web/);
      assert.equal((await fetch(`${origin}/graphql`)).status, 418);
      assert.match(logged.join(''), /explorer page not built/);
    } finally {
      server.close();
    }
  });
});

describe('the explorer page in a real browser', { skip }, () => {
  const server = useTestServer();
  const origin = () => new URL(server.url).origin;
  const id = (prefix: string) => realConfig(prefix).id;
  let browser: Browser;
  let bigBase: string;
  const children: string[] = [];

  before(async () => {
    for (const { raw } of realConfigs) await server.create(raw);
    await server.data(TAG, { image: id('187f89fb0852'), reference: 'acme/base:1.0' });
    await server.data(TAG, { image: id('03d7b3c657a4'), reference: 'acme/app:1.0' });
    await server.data(TAG, { image: id('1b2d7646f08d'), reference: 'acme/app:1.1' });
    // A base with a level of a thousand children, for the virtualized tree.
    bigBase = await server.create(makeConfig(['big base'], 'big'));
    await server.data(TAG, { image: bigBase, reference: 'acme/big:latest' });
    const images = Array.from({ length: BIG_LEVEL }, (_, i) => ({
      config: makeConfig(['big base', `child ${i}`]),
      parent: bigBase,
    }));
    await server.data(IMPORT, { images });
    const { image } = await server.data(
      'query ($id: String!) { image(id: $id) { children { id } } }',
      { id: bigBase },
    );
    children.push(...image.children.map((child: { id: string }) => child.id));
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  /** A page of the explorer, failing the test on any request that leaves the origin. */
  async function open(hash = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => {
      if (!request.url().startsWith(origin()) && !/^(data|blob):/.test(request.url()))
        assert.fail(`the page asked ${request.url()}`);
    });
    page.on('pageerror', (error) => assert.fail(`the page threw: ${error.message}`));
    await page.goto(`${origin()}/${hash}`);
    return page;
  }

  const line = (page: Page, shortId: string) =>
    page.locator('[role=treeitem]', { has: page.locator('code', { hasText: shortId }) });

  it('when a tag is searched and the result opened, then the image panel shows it', async () => {
    const page = await open();
    await page.getByLabel('Search images').fill('acme/app:1.0');
    const result = page.getByRole('list', { name: 'Search results' }).getByRole('link');
    await result.filter({ hasText: '03d7b3c657a4' }).click();
    await page.waitForURL(`**/#/image/${id('03d7b3c657a4')}`);
    const panel = page.getByRole('complementary', { name: 'Image 03d7b3c657a4' });
    await panel.getByRole('heading', { name: /acme\/app:1\.0/ }).waitFor();
    const config = JSON.parse(realConfig('03d7b3c657a4').raw);
    // Every history step, each non-empty one with the layer it added.
    const rows = panel.locator('table.history tbody tr');
    assert.equal(await rows.count(), config.history.length);
    assert.equal(
      await panel.locator('table.history tbody tr:not(.empty) td code').count(),
      config.history.filter((step: { empty_layer?: boolean }) => !step.empty_layer).length * 2,
    );
    const layers = panel.getByRole('region', { name: 'Layers' }).locator('li');
    assert.equal(await layers.count(), config.rootfs.diff_ids.length);
    // The base layer is shared by the 17 real configs that start with it.
    assert.match((await layers.first().textContent()) ?? '', /17 images/);
    await panel.getByRole('navigation', { name: 'Bases' }).getByText('acme/base:1.0').waitFor();
    await page.screenshot({ path: 'docs/explorer-image.png' });
    await page.close();
  });

  it('when a base with 1,000 children is expanded, then its level pages in to the end', async (t) => {
    const page = await open();
    const big = line(page, bigBase.slice(7, 19));
    await big.waitFor();
    const started = Date.now();
    await big.locator('.caret').click();
    await line(page, children[0]!.slice(7, 19)).waitFor();
    t.diagnostic(`first paint of the 1,000-child level: ${Date.now() - started} ms`);
    assert.equal(await big.getAttribute('aria-expanded'), 'true');
    // Only the lines in view are drawn.
    assert.ok((await page.locator('[role=treeitem]').count()) < 200);
    const last = line(page, children.at(-1)!.slice(7, 19));
    const tree = page.getByRole('tree');
    for (let i = 0; i < 100 && !(await last.isVisible()); i++) {
      await tree.evaluate((element) => element.scrollBy(0, 5_000));
      await page.waitForTimeout(50);
    }
    await last.waitFor();
    assert.equal(await last.getAttribute('aria-posinset'), String(BIG_LEVEL));
    assert.equal(await last.getAttribute('aria-setsize'), String(BIG_LEVEL));
    await page.screenshot({ path: 'docs/explorer-forest.png' });
    await page.close();
  });

  it('when the lineage tree is chosen, then the real configs hang under their base', async () => {
    const page = await open();
    await page.getByLabel('Lineage tree').check();
    const base = line(page, '187f89fb0852');
    await base.waitFor();
    assert.match((await base.textContent()) ?? '', /acme\/base:1\.0/);
    await base.locator('.caret').click();
    for (const derived of ['03d7b3c657a4', 'cffb7c92259a']) {
      const child = line(page, derived);
      await child.waitFor();
      assert.equal(await child.getAttribute('aria-level'), '2');
    }
    await line(page, '03d7b3c657a4').locator('.caret').click();
    for (const derived of ['1b2d7646f08d', '265cf623914b', '6146077b4bee'])
      await line(page, derived).waitFor();
    await page.screenshot({ path: 'docs/explorer-lineage.png' });
    await page.close();
  });

  it('when the neighbourhood is drawn, then a click on a node opens that image', async () => {
    const page = await open(`#/image/${id('03d7b3c657a4')}`);
    const picture = page.getByRole('img', { name: 'Lineage neighbourhood' });
    await picture.waitFor();
    // Its base above, the images derived from it below, two levels down.
    for (const name of ['acme/base:1.0', 'acme/app:1.1', '0da9b7d747f2', '265cf623914b'])
      await picture.getByRole('link', { name }).waitFor();
    await picture.getByRole('link', { name: 'acme/base:1.0' }).click();
    await page.waitForURL(`**/#/image/${id('187f89fb0852')}`);
    await page.getByRole('complementary', { name: 'Image 187f89fb0852' }).waitFor();
    await page.close();
  });

  it('when one page tags an image, then another page shows the tag through the subscription', async () => {
    const target = `#/image/${id('265cf623914b')}`;
    const [writer, watcher] = [await open(target), await open(target)];
    await watcher.getByRole('status', { name: 'Live updates' }).getByText('live').waitFor();
    const tags = (page: Page) => page.getByRole('list', { name: 'Tags' });
    await writer.getByLabel('New tag').fill('acme/live:1');
    await writer.getByRole('button', { name: 'Tag', exact: true }).click();
    await tags(watcher).getByText('acme/live:1').waitFor();
    // The forest of the watching page follows too.
    await line(watcher, '265cf623914b').getByText('acme/live:1').waitFor();
    await Promise.all([writer.close(), watcher.close()]);
  });

  it('when images come and go elsewhere, then the forest follows: counts, carets, new roots', async () => {
    const page = await open();
    await line(page, bigBase.slice(7, 19)).waitFor();
    const parent = await server.create(makeConfig(['coming layer'], 'coming'));
    const parentLine = line(page, parent.slice(7, 19));
    await parentLine.getByText('0 below').waitFor();
    assert.equal(await parentLine.getAttribute('aria-expanded'), null);
    // A first child: the count and the caret come with it.
    const { createImage } = await server.data(
      'mutation ($c: String!, $p: String) { createImage(config: $c, parent: $p) { image { id } } }',
      { c: makeConfig(['coming layer', 'child layer'], 'coming child'), p: parent },
    );
    const child = createImage.image.id as string;
    await parentLine.getByText('1 below').waitFor();
    assert.equal(await parentLine.getAttribute('aria-expanded'), 'false');
    // The parent deleted: it goes, and its child is a root now.
    await server.data('mutation ($id: String!) { deleteImage(id: $id) { deleted } }', {
      id: parent,
    });
    await parentLine.waitFor({ state: 'detached' });
    await line(page, child.slice(7, 19)).waitFor();
    assert.equal(await line(page, child.slice(7, 19)).getAttribute('aria-level'), '1');
    await page.close();
  });

  it('when the event stream drops, then the page says so and catches up from its last event', async () => {
    const target = id('6146077b4bee');
    const page = await browser.newPage();
    // The page's WebSockets pass through here, so the test can cut them.
    const open: WebSocketRoute[] = [];
    let refusing = false;
    await page.routeWebSocket(/\/graphql$/, (socket) => {
      if (refusing) return void socket.close();
      socket.connectToServer();
      open.push(socket);
    });
    await page.goto(`${origin()}/#/image/${target}`);
    const badge = page.getByRole('status', { name: 'Live updates' });
    const tags = page.getByRole('list', { name: 'Tags' });
    await badge.getByText('live').waitFor();
    await server.data(TAG, { image: target, reference: 'acme/drop:before' });
    await tags.getByText('acme/drop:before').waitFor();
    // Cut, and keep refusing while a tag is written.
    refusing = true;
    for (const socket of open.splice(0)) await socket.close();
    await badge.getByText('reconnecting').waitFor();
    await server.data(TAG, { image: target, reference: 'acme/drop:during' });
    await page.waitForTimeout(300);
    assert.equal(await tags.getByText('acme/drop:during').count(), 0);
    refusing = false;
    await badge.getByText('live').waitFor({ timeout: 15_000 });
    await tags.getByText('acme/drop:during').waitFor();
    await page.close();
  });

  it('when delete is confirmed, then the image is gone; when dismissed, it stays', async () => {
    const doomed = await server.create(makeConfig(['doomed layer'], 'doomed'));
    const page = await open(`#/image/${doomed}`);
    const panel = page.getByRole('complementary', { name: `Image ${doomed.slice(7, 19)}` });
    await panel.waitFor();
    page.once('dialog', (dialog) => void dialog.dismiss());
    await panel.getByRole('button', { name: 'Delete…' }).click();
    const ask = 'query ($id: String!) { image(id: $id) { id } }';
    assert.deepEqual((await server.data(ask, { id: doomed })).image, { id: doomed });
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Delete…' }).click();
    await page.waitForURL(`${origin()}/#/`);
    assert.equal((await server.data(ask, { id: doomed })).image, null);
    await page.close();
  });

  it('when the tree is used by keyboard alone, then it moves, opens and closes like a file tree', async () => {
    const page = await open();
    const tree = page.getByRole('tree');
    await line(page, bigBase.slice(7, 19)).waitFor();
    await page.keyboard.press('Tab'); // the search box
    while (!(await tree.evaluate((element) => element === document.activeElement)))
      await page.keyboard.press('Tab');
    const active = () => tree.getAttribute('aria-activedescendant');
    await page.keyboard.press('Home');
    const { images } = await server.data(
      '{ images(first: 100, filter: { rootsOnly: true }) { edges { node { id } } } }',
    );
    const roots = images.edges.map((edge: { node: { id: string } }) => edge.node.id) as string[];
    assert.equal(await active(), `line-${roots[0]!.slice(7, 19)}`);
    for (let i = 0; i < roots.indexOf(bigBase); i++) await page.keyboard.press('ArrowDown');
    assert.equal(await active(), `line-${bigBase.slice(7, 19)}`);
    await page.keyboard.press('ArrowRight');
    await line(page, children[0]!.slice(7, 19)).waitFor();
    await page.keyboard.press('ArrowRight');
    assert.equal(await active(), `line-${children[0]!.slice(7, 19)}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/image/${children[0]}`);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await active(), `line-${bigBase.slice(7, 19)}`);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await line(page, bigBase.slice(7, 19)).getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('End');
    assert.equal(await active(), `line-${roots.at(-1)!.slice(7, 19)}`);
    await page.close();
  });

  it('when a deep link is opened fresh, then it shows its view, and back returns', async () => {
    const page = await open(`#/search/${encodeURIComponent('acme/*:1.*')}`);
    const results = page.getByRole('list', { name: 'Search results' });
    for (const shortId of ['187f89fb0852', '03d7b3c657a4', '1b2d7646f08d'])
      await results.getByText(shortId).waitFor();
    assert.equal(await page.getByLabel('Search images').inputValue(), 'acme/*:1.*');
    await results.getByRole('link').filter({ hasText: '1b2d7646f08d' }).click();
    await page.getByRole('complementary', { name: 'Image 1b2d7646f08d' }).waitFor();
    await page.goBack();
    await page.waitForURL('**/#/search/**');
    await results.getByText('03d7b3c657a4').waitFor();
    await page.goForward();
    await page.getByRole('complementary', { name: 'Image 1b2d7646f08d' }).waitFor();
    await page.close();
  });

  describe('on a server that wants a write token', () => {
    const guarded = useTestServer({}, { writeToken: 'write-secret' });

    it('when a tag is added, then the page asks for the token once and keeps it for the tab', async () => {
      const created = await fetch(guarded.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer write-secret' },
        body: JSON.stringify({
          query: 'mutation ($c: String!) { createImage(config: $c) { image { id } } }',
          variables: { c: makeConfig(['guarded layer'], 'guarded') },
        }),
      });
      const target = ((await created.json()) as any).data.createImage.image.id as string;
      const page = await browser.newPage();
      await page.goto(`${new URL(guarded.url).origin}/#/image/${target}`);
      const asked: string[] = [];
      page.on('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.accept('write-secret');
      });
      const tags = page.getByRole('list', { name: 'Tags' });
      for (const name of ['acme/guarded:1', 'acme/guarded:2']) {
        await page.getByLabel('New tag').fill(name);
        await page.getByRole('button', { name: 'Tag', exact: true }).click();
        await tags.getByText(name).waitFor();
      }
      assert.equal(asked.length, 1, asked.join('\n'));
      assert.match(asked[0]!, /write token/);
      assert.equal(await page.evaluate(() => localStorage.length), 0);
      assert.equal(
        await page.evaluate(() => sessionStorage.getItem('imagestore.token')),
        'write-secret',
      );
      await page.close();
    });
  });
});
