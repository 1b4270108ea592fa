import { parseArgs } from 'node:util';
import { graphqlClient, RequestFailed } from './graphql-client.js';
import { NotAnImageStore, UnreadableImageStore } from './import/found-image.js';
import { openImageSource } from './import/open-source.js';
import { importProgress } from './import/progress.js';
import { writeFound } from './import/writer.js';

// `npm run import -- <path> [--url URL] [--token T] [--dry-run]`: reads a docker save
// archive, an OCI image layout (directory or tar) or a Docker host's image directory,
// and writes its images with their parents and names through a running server's
// importImages. Exit 0: all imported; 1: something was skipped or failed; 2: the input
// is not an image store (nothing written).
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.IMAGESTORE_URL ?? 'http://127.0.0.1:4000/graphql' },
    token: { type: 'string', default: process.env.IMAGESTORE_TOKEN },
    'dry-run': { type: 'boolean', default: false },
  },
});
const [path] = positionals;
if (path === undefined) {
  console.error('usage: npm run import -- <path> [--url URL] [--token T] [--dry-run]');
  process.exit(2);
}

const started = performance.now();
try {
  const source = await openImageSource(path);
  console.log(`${path}: ${source.description}`);
  const progress = importProgress(source.count);
  const tally = await writeFound(source.images(), graphqlClient(values.url, values.token), {
    dryRun: values['dry-run'],
    onProgress: progress.update,
  });
  progress.stop();
  for (const { source: where, reason } of tally.skipped) console.log(`skipped ${where}: ${reason}`);
  const seconds = (performance.now() - started) / 1000;
  const outcome = values['dry-run']
    ? `dry run, nothing written: ${tally.sent} images ready to import`
    : `${tally.created} images created, ${tally.existing} already there`;
  console.log(
    `${outcome}, ${tally.skipped.length} skipped; ${tally.references} references, ` +
      `${tally.parents} parents; ${seconds.toFixed(1)} s, ` +
      `${Math.round(tally.sent / seconds)} images/s`,
  );
  process.exit(tally.skipped.length > 0 ? 1 : 0);
} catch (error) {
  if (error instanceof NotAnImageStore) {
    console.error(`import: not an image store: ${error.message}`);
    process.exit(2);
  }
  const known = error instanceof RequestFailed || error instanceof UnreadableImageStore;
  console.error(`import: ${known ? (error as Error).message : error}`);
  process.exit(1);
}
