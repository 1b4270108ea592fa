import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { isDigest } from '../../domain/digest.js';

/** One image found in an image store being imported. */
export interface FoundImage {
  /** sha256:<hex>, checked against the config's bytes. */
  id: string;
  /** The config's exact bytes as text (utf-8). */
  config: string;
  /** The full ID of its parent, where the source records one. */
  parent?: string;
  /** Names the source gives it, as written ("busybox:latest", "docker.io/library/alpine:3.20"). */
  references: string[];
  /** Where in the input it was found (path inside the archive or directory). */
  source: string;
}

/** An entry that could not be imported: where, and why, in one line. */
export interface Skipped {
  source: string;
  reason: string;
  /** The image left out, when known: images built on it are left out too. */
  id?: string;
}

/** What a reader yields for each entry: an image, or why an entry was left out. */
export type Found = { image: FoundImage } | { skipped: Skipped };

/** An image store opened for reading. */
export interface ImageSource {
  format: 'docker-save' | 'oci-layout' | 'docker-root';
  /** e.g. "docker save archive (legacy manifest.json)". */
  description: string;
  /** How many images it holds, when known before reading them (for a progress bar). */
  count?: number;
  /** Every image, in an order where a parent comes before its children when both are found. */
  images(): AsyncIterable<Found>;
}

/** The input is not an image store this importer knows: exit 2, nothing written. */
export class NotAnImageStore extends Error {}

/** The input is an image store that cannot be read as a whole (a truncated tar, a broken index). */
export class UnreadableImageStore extends Error {}

/** A file the store names that cannot be had; the message says why, as a Skipped reason. */
export class MissingEntry extends Error {}

/** The files of an opened image store, by their path from its root. */
export interface StoreFiles {
  /** The input as the user named it, for messages about the store as a whole. */
  root: string;
  /** The bytes at a path, or a MissingEntry. */
  read(path: string): Promise<Buffer>;
}

/** The largest document kept or read: configs, manifests and indexes are smaller, layers larger. */
export const DOCUMENT_CAP = 16 * 1024 * 1024;

/** The JSON document at a path that the whole store hangs on, or an UnreadableImageStore. */
export async function readStoreDocument(files: StoreFiles, path: string): Promise<unknown> {
  try {
    return JSON.parse((await files.read(path)).toString('utf8'));
  } catch (error) {
    const { message } = error as Error;
    const why = error instanceof SyntaxError ? `is not JSON (${message})` : `is ${message}`;
    throw new UnreadableImageStore(`${files.root}: ${path} ${why}`);
  }
}

/** The JSON object at a path checked against the digest its name or descriptor gives, or why. */
export async function readVerified(
  files: StoreFiles,
  path: string,
  digest: string,
): Promise<{ text: string; value: Record<string, unknown> } | { reason: string }> {
  let bytes: Buffer;
  try {
    bytes = await files.read(path);
  } catch (error) {
    if (error instanceof MissingEntry) return { reason: error.message };
    throw error;
  }
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest) {
    return { reason: `its content is ${actual}, not the ${digest} it is named by` };
  }
  // The store keeps configs as text: bytes that do not survive decoding would change the ID.
  if (!isUtf8(bytes)) return { reason: 'not UTF-8 text' };
  const text = bytes.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return { text, value: value as Record<string, unknown> };
    }
    return { reason: 'JSON, but not an object' };
  } catch (error) {
    return { reason: `not JSON (${(error as Error).message})` };
  }
}

/** A config at a path, checked against the ID its store gives it: the image, or why not. */
export async function readImage(
  files: StoreFiles,
  path: string,
  id: string,
  links: { parent?: string; references: string[] },
): Promise<Found> {
  if (links.parent !== undefined && !isDigest(links.parent)) {
    return skipped(path, `its parent "${links.parent}" is not an image ID`, id);
  }
  const read = await readVerified(files, path, id);
  if ('reason' in read) return skipped(path, read.reason, id);
  const image: FoundImage = { id, config: read.text, references: links.references, source: path };
  if (links.parent !== undefined) image.parent = links.parent;
  return { image };
}

/** An entry left out: where, and why. */
export function skipped(source: string, reason: string, id?: string): Found {
  return { skipped: id === undefined ? { source, reason } : { source, reason, id } };
}

/** A parsed JSON value as an object whose fields are still to be checked; anything else as {}. */
export function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Skipped entries first, then each image once (names merged) with parents before children. */
export function inImportOrder(found: Found[]): Found[] {
  const byId = new Map<string, FoundImage>();
  for (const entry of found) {
    if (!('image' in entry)) continue;
    const seen = byId.get(entry.image.id);
    if (seen === undefined) byId.set(entry.image.id, { ...entry.image });
    else seen.references = [...new Set([...seen.references, ...entry.image.references])];
  }
  const left = found.filter((entry) => 'skipped' in entry);
  return [...left, ...parentsFirst([...byId.values()]).map((image) => ({ image }))];
}

/** The items with each parent placed before its children where both are present. */
export function parentsFirst<T extends { id: string; parent?: string }>(items: T[]): T[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const placed = new Set<string>();
  const ordered: T[] = [];
  for (const item of items) {
    // Up to the first ancestor already placed; marking on the way ends a cycle in a damaged store.
    const chain: T[] = [];
    let at: T | undefined = item;
    while (at !== undefined && !placed.has(at.id)) {
      placed.add(at.id);
      chain.push(at);
      at = at.parent === undefined ? undefined : byId.get(at.parent);
    }
    ordered.push(...chain.reverse());
  }
  return ordered;
}
