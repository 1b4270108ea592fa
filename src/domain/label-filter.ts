/**
 * Docker's label filters split into what the store matches: keys that must be there, key=value
 * pairs.
 */
export interface LabelFilter {
  keys: string[];
  /** The key=value pairs as one JSON object, for containment; null when none. */
  pairs: string | null;
}

/** Reads `key` and `key=value` filters (all must match), as `--filter label=` takes them. */
export function parseLabelFilters(filters: readonly string[]): LabelFilter {
  const keys: string[] = [];
  const pairs: Record<string, string> = {};
  for (const filter of filters) {
    const equals = filter.indexOf('=');
    if (equals === -1) keys.push(filter);
    else pairs[filter.slice(0, equals)] = filter.slice(equals + 1);
  }
  return { keys, pairs: Object.keys(pairs).length === 0 ? null : JSON.stringify(pairs) };
}
