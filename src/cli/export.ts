import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { familiarRepository, parseReference } from '../domain/reference.js';
import { type AnsweredError, graphqlClient, RequestFailed } from './graphql-client.js';

// `npm run export -- <dir> [--url URL] [--token T]`: writes the store as a Docker
// host keeps its images (the folder /var/lib/docker/image/<driver>/ holds the same):
// imagedb/content/sha256/<hex> with each config's exact bytes,
// imagedb/metadata/sha256/<hex>/parent where an image has one, and repositories.json.
const PAGE = `query ($after: String) {
  images(first: 500, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id rawConfig parent { id } references { familiarName } } }
  }
}`;

interface Page {
  images: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      node: {
        id: string;
        rawConfig: string;
        parent: { id: string } | null;
        references: { familiarName: string }[];
      };
    }[];
  };
}

/** Writes every image the server at `url` holds into `dir`; gives how many. */
export async function exportStore(dir: string, url: string, token?: string): Promise<number> {
  const request = graphqlClient(url, token);
  const content = join(dir, 'imagedb', 'content', 'sha256');
  const metadata = join(dir, 'imagedb', 'metadata', 'sha256');
  await mkdir(content, { recursive: true });
  await mkdir(metadata, { recursive: true });
  const repositories: Record<string, Record<string, string>> = {};
  let after: string | null = null;
  let exported = 0;
  for (;;) {
    const { data, errors }: { data: Page; errors: AnsweredError[] } = await request<Page>(PAGE, {
      after,
    });
    // A parent deleted since the page was read answers NOT_FOUND for that
    // field alone: the image then has no parent, as the store now says.
    const failed = errors.filter((error) => error.code !== 'NOT_FOUND');
    if (failed.length > 0) throw new RequestFailed(failed[0]!.message, failed);
    for (const { node } of data.images.edges) {
      const hex = node.id.slice('sha256:'.length);
      // Metadata first and the config last, each renamed into place: a
      // config present means its image is whole.
      await rm(join(metadata, hex), { recursive: true, force: true });
      if (node.parent) await writeAtomically(join(metadata, hex, 'parent'), node.parent.id);
      await writeAtomically(join(content, hex), node.rawConfig);
      for (const { familiarName } of node.references) {
        const repository = familiarRepository(parseReference(familiarName));
        repositories[repository] = { ...repositories[repository], [familiarName]: node.id };
      }
      exported++;
    }
    if (!data.images.pageInfo.hasNextPage) break;
    after = data.images.pageInfo.endCursor;
  }
  await writeAtomically(
    join(dir, 'repositories.json'),
    JSON.stringify({ Repositories: repositories }),
  );
  return exported;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: {
        type: 'string',
        default: process.env.IMAGESTORE_URL ?? 'http://127.0.0.1:4000/graphql',
      },
      token: { type: 'string', default: process.env.IMAGESTORE_TOKEN },
    },
  });
  const [dir] = positionals;
  if (dir === undefined) {
    console.error('usage: npm run export -- <dir> [--url URL] [--token T]');
    process.exit(2);
  }
  const started = performance.now();
  try {
    const count = await exportStore(dir, values.url, values.token);
    const seconds = (performance.now() - started) / 1000;
    console.log(`exported ${count} images to ${dir} in ${seconds.toFixed(1)} s`);
  } catch (error) {
    console.error(`export: ${error instanceof RequestFailed ? error.message : error}`);
    process.exit(1);
  }
}
