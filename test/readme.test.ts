import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { useTestServer } from './support/harness.js';

const server = useTestServer();
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const walkThrough = readme.slice(readme.indexOf('## A walk through GraphiQL'));
const [create, link, tree] = [...walkThrough.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('the README', () => {
  it('when the GraphiQL walk-through is followed step by step, then every step works as it says', async () => {
    const { base, app } = await server.data(create!);
    assert.equal(base.created && app.created, true);
    const fill = (text: string) =>
      text.replaceAll('<app shortId>', app.image.shortId).replaceAll('<base shortId>', base.image.shortId);

    const { setParent } = await server.data(fill(link!));
    assert.deepEqual(setParent.image, { id: app.image.id, parent: { id: base.image.id } });

    const { image } = await server.data(fill(tree!));
    assert.equal(image.id, base.image.id);
    assert.equal(image.children[0].id, app.image.id);
    assert.equal(image.children[0].layers[0].chainId, image.layers[0].chainId, 'the base layer is shared');

    const { deleteImage } = await server.data(`mutation { deleteImage(id: "${app.image.shortId}") { releasedLayers { chainId } } }`);
    assert.deepEqual(deleteImage.releasedLayers, [{ chainId: image.children[0].layers[1].chainId }]);
  });
});
