import { hash } from 'node:crypto';
import { chainIds } from './chain-id.js';
import type { HistoryEntry, ImageConfig } from './image-config.js';

/**
 * What the lineage rule reads of an image: its layer chain (chain IDs, base
 * first), its history as a chain of digests (entry i's digest covers entries
 * 0..i, as a chain ID covers the layers below it), when it was created, its ID.
 */
export interface LineageKey {
  id: string;
  chain: readonly string[];
  history: readonly string[];
  /** Milliseconds since the epoch; null when the config has no created time. */
  created: number | null;
}

/** What the rule reads of an image with this ID and config. */
export function lineageKeyOf(id: string, config: ImageConfig): LineageKey {
  return {
    id,
    chain: chainIds(config.diffIds),
    history: historyChain(config.history),
    created: config.created === null ? null : Date.parse(config.created),
  };
}

/**
 * The history as a chain of digests: the prefix relation between two
 * histories becomes one comparison of the shorter one's top digest.
 */
export function historyChain(history: readonly HistoryEntry[]): string[] {
  const chain: string[] = [];
  for (const entry of history) {
    const below = chain.at(-1) ?? '';
    chain.push(hash('sha256', `${below}\n${entryIdentity(entry)}`, 'hex'));
  }
  return chain;
}

/**
 * An entry compared whole, as Docker's History.Equal compares it: a missing
 * field is its zero value, and created is compared as an instant.
 */
function entryIdentity(entry: HistoryEntry): string {
  return JSON.stringify([
    instant(entry.created ?? null),
    entry.created_by ?? '',
    entry.author ?? '',
    entry.comment ?? '',
    entry.empty_layer ?? false,
  ]);
}

// Go's zero time: what a history entry without a created time holds.
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An RFC 3339 time as UTC seconds and nine fraction digits, whatever offset it was written in. */
function instant(time: string | null): string {
  if (time === null) return instant(ZERO_TIME);
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(time);
  if (!match) return time;
  const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
  return `${seconds}.${(match[2] ?? '').padEnd(9, '0').slice(0, 9)}`;
}

/** Whether `prefix` is a prefix of `whole`, both as chains of digests. */
function isPrefix(prefix: readonly string[], whole: readonly string[]): boolean {
  return (
    prefix.length <= whole.length &&
    (prefix.length === 0 || whole[prefix.length - 1] === prefix.at(-1))
  );
}

/**
 * The rule's candidate test: x could be y's base when x's chain is a prefix
 * of y's and either shorter, or equal with x's history a proper prefix of y's.
 */
export function isCandidateBase(x: LineageKey, y: LineageKey): boolean {
  if (x.id === y.id || !isPrefix(x.chain, y.chain)) return false;
  if (x.chain.length < y.chain.length) return true;
  return x.history.length < y.history.length && isPrefix(x.history, y.history);
}

/**
 * Orders y's candidates, best first: the longest chain; then one whose
 * history is a prefix of y's; then the longer history; then the earlier
 * created (an image without a created time comes last); then the lower ID.
 */
export function compareCandidates(y: LineageKey): (a: LineageKey, b: LineageKey) => number {
  const historyPrefix = (x: LineageKey) => (isPrefix(x.history, y.history) ? 0 : 1);
  const created = (x: LineageKey) => x.created ?? Number.POSITIVE_INFINITY;
  return (a, b) =>
    b.chain.length - a.chain.length ||
    historyPrefix(a) - historyPrefix(b) ||
    b.history.length - a.history.length ||
    Math.sign(created(a) - created(b)) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The rule applied to a whole set of images: each image's base, or null. A reference for checks. */
export function lineageOf(images: readonly LineageKey[]): Map<string, string | null> {
  const bases = new Map<string, string | null>();
  for (const y of images) {
    const candidates = images.filter((x) => isCandidateBase(x, y)).sort(compareCandidates(y));
    bases.set(y.id, candidates[0]?.id ?? null);
  }
  return bases;
}
