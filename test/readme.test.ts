import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { useTestServer } from './support/harness.js';

const server = useTestServer();
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const walkThrough = readme.slice(readme.indexOf('## A walk through GraphiQL'));
const [create, link, tree, tag, byName, untag] = [
  ...walkThrough.matchAll(/```graphql\n([\s\S]*?)```/g),
].map((m) => m[1]!);

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
});
