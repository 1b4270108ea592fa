import { isDigest } from '../../domain/digest.js';
import {
  asObject,
  type Found,
  type ImageSource,
  inImportOrder,
  readImage,
  readStoreDocument,
  readVerified,
  type StoreFiles,
  skipped,
  UnreadableImageStore,
} from './found-image.js';

/** A content descriptor, as far as an importer needs it; every field is checked before use. */
interface Descriptor {
  mediaType?: unknown;
  digest?: unknown;
  annotations?: unknown;
  config?: unknown;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
const CONFIG_TYPES = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);
const CONTAINERD_NAME = 'io.containerd.image.name';
const REF_NAME = 'org.opencontainers.image.ref.name';
/** BuildKit marks attestation manifests (platform unknown/unknown) with this annotation. */
const REFERENCE_TYPE = 'vnd.docker.reference.type';

/** Opens an OCI image layout by its index.json, read now: a bad layout fails before any image. */
export async function openOciLayout(files: StoreFiles, description: string): Promise<ImageSource> {
  const index = await readStoreDocument(files, 'index.json');
  if (!Array.isArray(asObject(index).manifests)) {
    throw new UnreadableImageStore(`${files.root}: index.json has no manifests list`);
  }
  return {
    format: 'oci-layout',
    description,
    async *images() {
      yield* inImportOrder(await readIndex(files, manifestsOf(index)));
    },
  };
}

async function readIndex(files: StoreFiles, descriptors: Descriptor[]): Promise<Found[]> {
  const found: Found[] = [];
  for (const [i, descriptor] of descriptors.entries()) {
    const where = `index.json manifests[${i}]`;
    const below = await follow(files, descriptor, where);
    const images = below.flatMap((entry) => ('image' in entry ? [entry.image] : []));
    const names = namesOf(descriptor.annotations);
    const count = new Set(images.map((image) => image.id)).size;
    for (const image of count === 1 ? images : []) image.references = names;
    if (count > 1 && names.length > 0) {
      // A name stands for one image ID here, and nothing in the layout says which platform to pick.
      const reason = `${names.join(', ')} names an index of ${count} images; none of them gets it`;
      found.push(skipped(where, reason));
    }
    found.push(...below);
  }
  return found;
}

/** The images a descriptor leads to, through nested indexes, each manifest to its config. */
async function follow(files: StoreFiles, descriptor: Descriptor, where: string): Promise<Found[]> {
  const type = String(descriptor.mediaType);
  // The spec has readers leave media types they do not know alone.
  if (!INDEX_TYPES.has(type) && !MANIFEST_TYPES.has(type)) return [];
  const referenceType = annotation(descriptor.annotations, REFERENCE_TYPE);
  if (referenceType !== undefined) {
    return [skipped(where, `not an image but "${referenceType}" (${REFERENCE_TYPE})`)];
  }
  const digest = String(descriptor.digest);
  if (!isDigest(digest)) {
    return [skipped(where, `digest "${digest}" is not sha256:<64 hex digits>`)];
  }
  const path = blobPath(digest);
  const read = await readVerified(files, path, digest);
  if ('reason' in read) return [skipped(path, read.reason)];
  if (INDEX_TYPES.has(type)) {
    const nested = manifestsOf(read.value);
    return (
      await Promise.all(nested.map((d, j) => follow(files, d, `${path} manifests[${j}]`)))
    ).flat();
  }
  const config: Descriptor = asObject(read.value.config);
  const configDigest = String(config.digest);
  if (!CONFIG_TYPES.has(String(config.mediaType))) {
    return [skipped(path, `an artifact with a ${String(config.mediaType)} config, not an image`)];
  }
  if (!isDigest(configDigest)) {
    return [skipped(path, `config digest "${configDigest}" is not sha256:<64 hex digits>`)];
  }
  return [await readImage(files, blobPath(configDigest), configDigest, { references: [] })];
}

/**
 * The names index.json gives one of its descriptors; the spec reads ref.name only there, so
 * nested indexes are not looked at. io.containerd.image.name is a full reference. ref.name is
 * either a full reference or, as the spec's examples and docker save write it, a bare tag
 * ("latest", "v1.0"): one with no '/', ':' or '@', which a tag cannot hold. A bare tag names
 * no repository, so it counts only joined to the repository of io.containerd.image.name, and
 * is ignored otherwise: taking "latest" for the image docker.io/library/latest would invent a name.
 */
function namesOf(annotations: unknown): string[] {
  const full = annotation(annotations, CONTAINERD_NAME);
  const ref = annotation(annotations, REF_NAME);
  const names = full === undefined ? [] : [full];
  if (ref !== undefined && /[/:@]/.test(ref)) names.push(ref);
  else if (ref !== undefined && full !== undefined) names.push(`${repositoryOf(full)}:${ref}`);
  return [...new Set(names)];
}

/** A reference without its tag or digest: a tag follows the last ':' after the last '/'. */
function repositoryOf(name: string): string {
  const named = name.split('@')[0] ?? name;
  const colon = named.lastIndexOf(':');
  return colon > named.lastIndexOf('/') ? named.slice(0, colon) : named;
}

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

function manifestsOf(index: unknown): Descriptor[] {
  const { manifests } = asObject(index);
  return Array.isArray(manifests) ? manifests.map(asObject) : [];
}

function annotation(annotations: unknown, key: string): string | undefined {
  const value = asObject(annotations)[key];
  return typeof value === 'string' ? value : undefined;
}
