import {
  asObject,
  type Found,
  type ImageSource,
  inImportOrder,
  readImage,
  readStoreDocument,
  type StoreFiles,
  skipped,
  UnreadableImageStore,
} from './found-image.js';

/** One entry of a docker save manifest.json, as far as an importer needs it. */
interface ManifestItem {
  Config?: unknown;
  RepoTags?: unknown;
  Parent?: unknown;
}

/** Where docker save puts a config: `<hex>.json` (legacy) or `blobs/sha256/<hex>` (Docker 25+). */
const CONFIG_PATH = /^(?:([0-9a-f]{64})\.json|blobs\/sha256\/([0-9a-f]{64}))$/;

/**
 * Opens a docker save archive by its manifest.json, read now so that an archive that cannot be
 * read fails before any image. The legacy `repositories` file is not read: its values are
 * layer IDs, and RepoTags carries the same names. Nor is the index.json Docker 25+ writes
 * beside it: manifest.json says all an import needs, Parent included, which index.json cannot.
 */
export async function openDockerSave(files: StoreFiles): Promise<ImageSource> {
  const items = await readManifest(files);
  const ociForm = items.some((item) => String(item.Config).startsWith('blobs/'));
  return {
    format: 'docker-save',
    description: ociForm
      ? 'docker save archive (OCI form of Docker 25+, read by its manifest.json)'
      : 'docker save archive (legacy manifest.json)',
    async *images() {
      yield* inImportOrder(
        await Promise.all(items.map((item, i) => readItem(files, item, `manifest.json [${i}]`))),
      );
    },
  };
}

async function readManifest(files: StoreFiles): Promise<ManifestItem[]> {
  const items = await readStoreDocument(files, 'manifest.json');
  if (!Array.isArray(items)) {
    throw new UnreadableImageStore(`${files.root}: manifest.json is not a list of images`);
  }
  return items.map(asObject);
}

async function readItem(files: StoreFiles, item: ManifestItem, where: string): Promise<Found> {
  const config = typeof item.Config === 'string' ? item.Config : '';
  const hex = CONFIG_PATH.exec(config)?.slice(1).find(Boolean);
  if (hex === undefined) {
    return skipped(
      where,
      `Config ${JSON.stringify(item.Config)} is not <hex>.json or blobs/sha256/<hex>`,
    );
  }
  const tags = item.RepoTags ?? [];
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
    return skipped(where, 'RepoTags is not a list of names');
  }
  // Docker leaves Parent out (or empty) when the archive does not hold the parent too.
  const parent = item.Parent === undefined || item.Parent === '' ? undefined : String(item.Parent);
  return readImage(files, config, `sha256:${hex}`, { parent, references: tags });
}
