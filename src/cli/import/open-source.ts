import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { openDockerRoot } from './docker-root.js';
import { openDockerSave } from './docker-save.js';
import {
  DOCUMENT_CAP,
  type ImageSource,
  MissingEntry,
  NotAnImageStore,
  type StoreFiles,
  UnreadableImageStore,
} from './found-image.js';
import { openOciLayout } from './oci-layout.js';

/** JSON's whitespace: what may come before the '{' or '[' that opens a document. */
const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Opens the image store at a path, telling its format from its content: a directory with
 * imagedb/ is a Docker image directory, one with index.json and oci-layout an OCI image layout;
 * a tar (or gzipped tar) with manifest.json is a docker save archive, even when Docker 25+ has
 * made it an OCI layout too, and one with index.json and oci-layout an OCI image layout.
 */
export async function openImageSource(path: string): Promise<ImageSource> {
  const stats = await stat(path).catch(() => {
    throw new NotAnImageStore(`${path}: no such file or directory`);
  });
  if (stats.isDirectory()) return openDirectory(path);
  const files = await scanTar(path);
  if (files.has('manifest.json')) return openDockerSave(files);
  if (files.has('index.json') && files.has('oci-layout')) {
    return openOciLayout(files, 'OCI image layout (tar)');
  }
  throw new NotAnImageStore(
    `${path}: a tar archive with neither manifest.json (docker save) ` +
      'nor index.json and oci-layout (OCI image layout)',
  );
}

async function openDirectory(path: string): Promise<ImageSource> {
  const has = (name: string) => stat(join(path, name)).then(Boolean, () => false);
  if (await has('imagedb')) return openDockerRoot(directoryFiles(path));
  if ((await has('index.json')) && (await has('oci-layout'))) {
    return openOciLayout(directoryFiles(path), 'OCI image layout (directory)');
  }
  throw new NotAnImageStore(
    `${path}: a directory with neither imagedb/ (a Docker image directory, ` +
      '/var/lib/docker/image/<driver>) nor index.json and oci-layout (an OCI image layout)',
  );
}

/** The files of an image store that is a directory, read only up to DOCUMENT_CAP. */
function directoryFiles(root: string): StoreFiles {
  return {
    root,
    async read(path) {
      const file = join(root, path);
      const size = await stat(file).then(
        (stats) => (stats.isFile() ? stats.size : undefined),
        () => undefined,
      );
      if (size === undefined) throw new MissingEntry('not in the directory');
      if (size > DOCUMENT_CAP) throw new MissingEntry(`larger than ${DOCUMENT_CAP} bytes`);
      return readFile(file);
    },
  };
}

/** A tar's small JSON entries by path, and the paths of all its entries. */
interface TarFiles extends StoreFiles {
  has(path: string): boolean;
}

/**
 * Reads a tar once, keeping only the entries that may be configs, manifests or indexes (under
 * DOCUMENT_CAP, opening with '{' or '['). Layers are drained as they pass, so an archive of any
 * size reads in the memory of its JSON; manifest.json and index.json may come after the blobs,
 * so the format is told only at the end.
 */
async function scanTar(path: string): Promise<TarFiles> {
  const kept = new Map<string, Buffer>();
  const seen: string[] = [];
  const extractor = extract();
  const scan = async () => {
    for await (const entry of extractor) {
      const name = entry.header.name.replace(/^(?:\.?\/)+/, '');
      seen.push(name);
      const json = await keepJson(entry.header, entry);
      if (json !== undefined) kept.set(name, json);
    }
  };
  const gunzip = (await isGzip(path)) ? [createGunzip()] : [];
  try {
    await Promise.all([scan(), pipeline([createReadStream(path), ...gunzip, extractor])]);
  } catch (error) {
    if (seen.length === 0)
      throw new NotAnImageStore(`${path}: neither a directory nor a tar archive`);
    const { message } = error as Error;
    throw new UnreadableImageStore(
      `${path}: the tar archive is truncated or damaged after ${seen.at(-1)} (${message})`,
    );
  }
  if (seen.length === 0)
    throw new NotAnImageStore(`${path}: neither a directory nor a tar archive`);
  const names = new Set(seen);
  return {
    root: path,
    has: (name) => names.has(name),
    async read(name) {
      const bytes = kept.get(name);
      if (bytes !== undefined) return bytes;
      throw new MissingEntry(
        names.has(name) ? `not a JSON document under ${DOCUMENT_CAP} bytes` : 'not in the archive',
      );
    },
  };
}

/** An entry's bytes when it may be a JSON document, else undefined; drained either way. */
async function keepJson(header: Header, body: AsyncIterable<unknown>): Promise<Buffer | undefined> {
  const small = header.type === 'file' && header.size <= DOCUMENT_CAP;
  let json: boolean | undefined = small ? undefined : false;
  const chunks: Buffer[] = [];
  for await (const data of body) {
    const chunk = data as Buffer;
    // Undecided while only blanks have passed; then decided by the first other byte.
    const first: number | undefined =
      json === undefined ? chunk.find((byte: number) => !BLANK.has(byte)) : undefined;
    if (first !== undefined) json = first === 0x7b || first === 0x5b;
    if (json !== false) chunks.push(chunk);
  }
  return json ? Buffer.concat(chunks) : undefined;
}

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}
