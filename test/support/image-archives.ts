import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';

/** An image to write into a test image store. */
export interface ArchiveImage {
  config: Buffer | string;
  parent?: string;
  /**
   * Its names: RepoTags in docker save, repositories.json keys in a Docker directory; in an OCI
   * layout one descriptor each, with io.containerd.image.name and the tag as ref.name, as
   * docker save writes them.
   */
  references?: string[];
  /** OCI layouts only: org.opencontainers.image.ref.name values written alone, as skopeo does. */
  refNames?: string[];
  /** Written wrong on purpose: the config left out, or other bytes stored under its name. */
  broken?: 'missing-config' | 'wrong-digest';
}

/** A multi-platform image in an OCI layout: a nested index over its platforms, named as a whole. */
export interface ArchivePlatforms {
  platforms: ArchiveImage[];
  references?: string[];
}

/** One file of a store being built: its path from the store's root, and its bytes. */
export interface ArchiveEntry {
  name: string;
  data: Buffer | string;
}

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** The hex SHA-256 of some bytes. */
export function hexOf(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes a docker save tar: legacy (`<hex>.json`, `<layer>/layer.tar`) or Docker 25+ OCI form. */
export async function writeDockerSave(
  file: string,
  images: ArchiveImage[],
  { form = 'legacy', layerSize }: { form?: 'legacy' | 'oci'; layerSize?: number } = {},
): Promise<void> {
  const entries: ArchiveEntry[] = [];
  const descriptors: object[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const manifest = images.map((image) => {
    const layer = randomBytes(layerSize ?? 2048 + randomInt(30 * 1024));
    const oci = ociImage(image, layer);
    const legacy = [`${hexOf(image.config)}.json`, `${hexOf(layer)}/layer.tar`] as const;
    const [config, layerPath] = form === 'oci' ? [oci.config, oci.layer] : legacy;
    if (form === 'oci') entries.push(...oci.entries);
    else entries.push(...configEntries(image, config), { name: layerPath, data: layer });
    descriptors.push(...named(oci.descriptor, image));
    for (const reference of image.references ?? []) {
      const [repository, tag] = splitReference(reference);
      repositories[repository] = { ...repositories[repository], [tag]: hexOf(layer) };
    }
    const parent = image.parent === undefined ? {} : { Parent: image.parent };
    return { Config: config, RepoTags: image.references ?? null, Layers: [layerPath], ...parent };
  });
  entries.push({ name: 'manifest.json', data: JSON.stringify(manifest) });
  entries.push({ name: 'repositories', data: JSON.stringify(repositories) });
  await writeTar(file, form === 'oci' ? [...entries, ...layoutFiles(descriptors)] : entries);
}

/** Writes an OCI image layout, as a directory or a tar; a nested index per multi-platform image. */
export async function writeOciLayout(
  target: string,
  items: (ArchiveImage | ArchivePlatforms)[],
  { tar = false } = {},
): Promise<void> {
  const entries: ArchiveEntry[] = [];
  const descriptors: object[] = [];
  for (const item of items) {
    if ('platforms' in item) {
      const platforms = item.platforms.map((image) => ociImage(image, randomBytes(4096)));
      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX,
        manifests: platforms.map((platform) => platform.descriptor),
      });
      entries.push(...platforms.flatMap((platform) => platform.entries), blob(index));
      descriptors.push(...named(descriptorOf(INDEX, index), item));
    } else {
      const image = ociImage(item, randomBytes(4096));
      entries.push(...image.entries);
      descriptors.push(...named(image.descriptor, item));
    }
  }
  entries.push(...layoutFiles(descriptors));
  await (tar ? writeTar(target, entries) : writeTree(target, entries));
}

/** Writes a Docker image directory (/var/lib/docker/image/<driver>/): imagedb/ and its names. */
export async function writeDockerRoot(dir: string, images: ArchiveImage[]): Promise<void> {
  const entries: ArchiveEntry[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of images) {
    const hex = hexOf(image.config);
    const metadata = `imagedb/metadata/sha256/${hex}`;
    entries.push(...configEntries(image, `imagedb/content/sha256/${hex}`));
    entries.push({ name: `${metadata}/lastUpdated`, data: new Date().toISOString() });
    if (image.parent !== undefined)
      entries.push({ name: `${metadata}/parent`, data: image.parent });
    for (const reference of image.references ?? []) {
      const [repository] = splitReference(reference);
      repositories[repository] = { ...repositories[repository], [reference]: `sha256:${hex}` };
    }
  }
  entries.push({ name: 'repositories.json', data: JSON.stringify({ Repositories: repositories }) });
  await writeTree(dir, entries);
}

/** Writes entries as a tar, in name order as Docker's archiver walks its folder. */
export async function writeTar(file: string, entries: ArchiveEntry[]): Promise<void> {
  const archive = pack();
  const written = pipeline(archive, createWriteStream(file));
  for (const { name, data } of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    archive.entry({ name }, data);
  }
  archive.finalize();
  await written;
}

/** Cuts a file to half its size, as an interrupted copy leaves it. */
export async function truncateHalf(file: string): Promise<void> {
  await truncate(file, Math.floor((await stat(file)).size / 2));
}

async function writeTree(dir: string, entries: ArchiveEntry[]): Promise<void> {
  for (const { name, data } of entries) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), data);
  }
}

/** An image as an OCI manifest over its config and one layer: the blobs and where they are. */
function ociImage(image: ArchiveImage, layer: Buffer) {
  const config = descriptorOf('application/vnd.oci.image.config.v1+json', image.config);
  const layers = [descriptorOf('application/vnd.oci.image.layer.v1.tar', layer)];
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config, layers });
  const configPath = `blobs/sha256/${hexOf(image.config)}`;
  return {
    entries: [...configEntries(image, configPath), blob(layer), blob(manifest)],
    descriptor: { ...descriptorOf(MANIFEST, manifest), platform: platformOf(image.config) },
    config: configPath,
    layer: `blobs/sha256/${hexOf(layer)}`,
  };
}

function configEntries(image: ArchiveImage, name: string): ArchiveEntry[] {
  if (image.broken === 'missing-config') return [];
  const bytes = Buffer.from(image.config);
  // Still valid JSON, one byte longer: only its digest gives it away.
  return [
    {
      name,
      data: image.broken === 'wrong-digest' ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes,
    },
  ];
}

/** An index.json descriptor per name, annotated as docker save (references) or skopeo (refNames). */
function named(descriptor: object, item: { references?: string[]; refNames?: string[] }) {
  const annotations = [
    ...(item.references ?? []).map((reference) => ({
      'io.containerd.image.name': reference,
      'org.opencontainers.image.ref.name': splitReference(reference)[1],
    })),
    ...(item.refNames ?? []).map((name) => ({ 'org.opencontainers.image.ref.name': name })),
  ];
  if (annotations.length === 0) return [descriptor];
  return annotations.map((annotation) => ({ ...descriptor, annotations: annotation }));
}

function layoutFiles(descriptors: object[]): ArchiveEntry[] {
  const index = { schemaVersion: 2, mediaType: INDEX, manifests: descriptors };
  return [
    { name: 'index.json', data: JSON.stringify(index) },
    { name: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
  ];
}

function blob(data: Buffer | string): ArchiveEntry {
  return { name: `blobs/sha256/${hexOf(data)}`, data };
}

function descriptorOf(mediaType: string, data: Buffer | string) {
  return { mediaType, digest: `sha256:${hexOf(data)}`, size: Buffer.byteLength(data) };
}

function platformOf(config: Buffer | string): object {
  try {
    const { architecture, os, variant } = JSON.parse(String(config));
    return { architecture, os, variant };
  } catch {
    return { architecture: 'unknown', os: 'unknown' };
  }
}

/** A reference's repository and its tag (or digest): "busybox:latest" is busybox and latest. */
function splitReference(reference: string): [string, string] {
  const cut = reference.includes('@') ? reference.indexOf('@') : reference.lastIndexOf(':');
  if (cut <= reference.lastIndexOf('/')) return [reference, 'latest'];
  return [reference.slice(0, cut), reference.slice(cut + 1)];
}
