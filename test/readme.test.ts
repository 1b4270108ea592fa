import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { makeConfig } from './support/configs.js';
import { useTestServer } from './support/harness.js';
import { realConfigs } from './support/real-configs.js';
import { subscribe } from './support/subscriptions.js';

const server = useTestServer();
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const walkThrough = readme.slice(readme.indexOf('## A walk through GraphiQL'));
const [create, link, tree, tag, byName, untag] = [
  ...walkThrough.matchAll(/```graphql\n([\s\S]*?)```/g),
].map((m) => m[1]!);

const live = readme.slice(readme.indexOf('## Live updates'), readme.indexOf('## Configuration'));
const [liveSubscription] = [...live.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
const lineage = readme.slice(readme.indexOf('## Lineage'), readme.indexOf('## Import and export'));
const [lineageQuery] = [...lineage.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('the README', () => {
  it('when the GraphiQL walk-through is followed, then every step works as it says', async () => {
    const { base, app } = await server.data(create!);
    assert.equal(base.created && app.created, true);
    const fill = (text: string) =>
      text
        .replaceAll('<app shortId>', app.image.shortId)
        .replaceAll('<base shortId>', base.image.shortId);

    const { setParent } = await server.data(fill(link!));
    assert.deepEqual(setParent.image, { id: app.image.id, parent: { id: base.image.id } });

    const { image } = await server.data(fill(tree!));
    assert.equal(image.id, base.image.id);
    assert.equal(image.children[0].id, app.image.id);
    assert.equal(
      image.children[0].layers[0].chainId,
      image.layers[0].chainId,
      'the base layer is shared',
    );

    const tagged = await server.data(fill(tag!));
    assert.deepEqual(tagged.base.reference, {
      name: 'docker.io/acme/base:1.0',
      familiarName: 'acme/base:1.0',
    });
    assert.deepEqual(tagged.app, {
      image: { repoTags: ['ghcr.io/acme/app:2.1'] },
      previousImage: null,
    });

    const named = await server.data(byName!);
    assert.equal(named.image.id, base.image.id);
    assert.deepEqual(named.image.repoTags, ['acme/base:1.0']);
    assert.equal(named.image.dangling, false);
    assert.deepEqual(named.images.edges, [
      { node: { id: app.image.id, repoTags: ['ghcr.io/acme/app:2.1'] } },
    ]);

    const { untagImage, pruneImages } = await server.data(untag!);
    assert.equal(untagImage.reference, 'ghcr.io/acme/app:2.1');
    // The app is a dangling leaf now; the base is tagged and stays.
    assert.deepEqual(pruneImages.deleted, [app.image.id]);
    assert.equal(
      (await server.data(`{ image(id: "${base.image.id}") { id } }`)).image.id,
      base.image.id,
    );
  });
  it('when the real configs are stored without parents, then the lineage example answers as shown', async () => {
    for (const config of realConfigs) await server.create(config.raw);
    const { image, images } = await server.data(lineageQuery!);
    assert.equal(image.base.id.slice(7, 19), '1b2d7646f08d');
    assert.deepEqual(
      image.bases.map((base: { id: string }) => base.id.slice(7, 19)),
      ['1b2d7646f08d', '03d7b3c657a4', '187f89fb0852'],
    );
    assert.equal(image.lineageRoot.id.slice(7, 19), '187f89fb0852');
    assert.deepEqual(
      image.layers.map((layer: { depth: number }) => layer.depth),
      [1, 2, 3, 4, 5],
    );
    // The walk-through before left its tagged base image: a root too, but not a real config.
    const real = new Set(realConfigs.map((config) => config.id));
    const roots = images.edges
      .map((edge: { node: { id: string } }) => edge.node.id)
      .filter((id: string) => real.has(id))
      .map((id: string) => id.slice(7, 19));
    assert.equal(roots.length, 22);
    assert.ok(roots.includes('187f89fb0852') && !roots.includes('03d7b3c657a4'));
  });

  it('when the Live updates subscription runs and an image is created and tagged, then its events come with the fields it selects', async () => {
    const subscription = subscribe('sse', server.url, liveSubscription!, {});
    // Live from now: a probe shows the stream is open before the writes it must see.
    let probe = 0;
    while (subscription.events.length === 0) {
      await server.create(makeConfig([`live-probe-${probe++}`]));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const id = await server.create(makeConfig(['live-readme']));
    await server.data(
      'mutation ($i: String!) { tagImage(image: $i, reference: "acme/live:1") { image { id } } }',
      { i: id },
    );
    const mine = () => subscription.events.filter((event) => event.imageId === id);
    for (const deadline = performance.now() + 10_000; mine().length < 2; ) {
      assert.ok(performance.now() < deadline, JSON.stringify(subscription.events));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    subscription.stop();
    assert.deepEqual(
      mine().map((event) => [event.type, event.reference]),
      [
        ['CREATE', null],
        ['TAG', 'acme/live:1'],
      ],
    );
    // Each event reads the image as it is when the event is delivered.
    assert.equal(mine()[0].image.shortId, id.slice(7, 19));
    assert.deepEqual(mine()[1].image.repoTags, ['acme/live:1']);
  });
});
