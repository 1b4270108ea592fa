/**
 * Docker's label filters, split into what the store matches: keys that must
 * be there, and key=value pairs that must match.
 */
export interface LabelFilter {
  keys: string[];
  /** Each key=value pair as a JSON object of its own, for containment. */
  pairs: string[];
}

/** Reads `key` and `key=value` filters (all must match), as `--filter label=` takes them. */
export function parseLabelFilters(filters: readonly string[]): LabelFilter {
  const keys: string[] = [];
  const pairs: string[] = [];
  for (const filter of filters) {
    const equals = filter.indexOf('=');
    if (equals === -1) keys.push(filter);
    else pairs.push(JSON.stringify({ [filter.slice(0, equals)]: filter.slice(equals + 1) }));
  }
  return { keys, pairs };
}
