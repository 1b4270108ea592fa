import { z } from 'zod';
import { isDigest } from './digest.js';
import { InvalidConfigError } from './errors.js';

/** What the store reads out of a config; the config text itself is kept as sent. */
export interface ImageConfig {
  diffIds: string[];
  /** As the config writes it (RFC 3339, to the nanosecond): a Date would keep milliseconds only. */
  created: string | null;
  architecture: string | null;
  os: string | null;
  author: string | null;
  comment: string | null;
  /** config.Labels, for label filters; null when there are none. */
  labels: Record<string, string> | null;
  history: HistoryEntry[];
}

// Known fields are checked for their JSON type; unknown ones pass untouched.
// Optional fields may be null, as Go's encoder writes nil slices and maps.
const text = z.string().nullish();
const strings = z.array(z.string()).nullish();
const time = z.iso.datetime({ offset: true }).nullish();
// Docker's strslice accepts a single string where a list is expected.
const command = z.union([z.string(), z.array(z.string())]).nullish();
const set = z.record(z.string(), z.unknown()).nullish();

const runConfig = z.looseObject({
  User: text,
  ExposedPorts: set,
  Env: strings,
  Entrypoint: command,
  Cmd: command,
  Volumes: set,
  WorkingDir: text,
  Labels: z.record(z.string(), z.string()).nullish(),
  StopSignal: text,
  ArgsEscaped: z.boolean().nullish(),
});

const historyEntry = z.looseObject({
  created: time,
  author: text,
  created_by: text,
  comment: text,
  empty_layer: z.boolean().nullish(),
});

const configSchema = z.looseObject({
  created: time,
  author: text,
  architecture: text,
  os: text,
  'os.version': text,
  'os.features': strings,
  variant: text,
  comment: text,
  config: runConfig.nullish(),
  container_config: runConfig.nullish(),
  rootfs: z.looseObject({
    type: z.string().min(1),
    diff_ids: z
      .array(
        z.string().refine(isDigest, 'not a sha256 digest (sha256: and 64 lowercase hex digits)'),
      )
      .nullish(),
  }),
  history: z.array(historyEntry).nullish(),
});

/** A parsed config's history entry, in the config's own field names. */
export type HistoryEntry = z.infer<typeof historyEntry>;

/**
 * Validates a config as Docker's image store does on Create and reads the
 * fields the store indexes. Throws InvalidConfigError naming the problem.
 */
export function parseImageConfig(raw: string): ImageConfig {
  if (!raw.isWellFormed()) {
    throw new InvalidConfigError(
      'invalid image config: the text has a lone surrogate, so it has no UTF-8 form',
    );
  }
  if (nestingDepth(raw) > MAX_NESTING) {
    throw new InvalidConfigError(
      `invalid image config: nested more than ${MAX_NESTING} levels deep`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new InvalidConfigError(`invalid image config: not JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidConfigError('invalid image config: not a JSON object');
  }
  const result = configSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidConfigError(`invalid image config: ${describeIssue(issue, json)}`);
  }
  const config = result.data;
  for (const field of ['architecture', 'os', 'author', 'comment'] as const) {
    // The store indexes these as text, which cannot hold NUL.
    if (config[field]?.includes('\u0000'))
      throw new InvalidConfigError(`invalid image config: ${field} contains a NUL character`);
  }
  const diffIds = config.rootfs.diff_ids ?? [];
  const nonEmpty = (config.history ?? []).filter((entry) => entry.empty_layer !== true).length;
  if (nonEmpty > diffIds.length) {
    throw new InvalidConfigError(
      'invalid image config: too many non-empty layers in History section',
    );
  }
  return {
    diffIds,
    created: config.created ?? null,
    architecture: config.architecture ?? null,
    os: config.os ?? null,
    author: config.author ?? null,
    comment: config.comment ?? null,
    labels: indexableLabels(config.config?.Labels),
    history: config.history ?? [],
  };
}

/** Labels the store can index: jsonb holds no NUL, so labels with one are not filterable. */
function indexableLabels(
  labels: Record<string, string> | null | undefined,
): Record<string, string> | null {
  const entries = Object.entries(labels ?? {}).filter(
    ([key, value]) => !key.includes('\u0000') && !value.includes('\u0000'),
  );
  return entries.length === 0 ? null : Object.fromEntries(entries);
}

// Real configs nest a handful of levels; far deeper ones only strain parsers.
const MAX_NESTING = 100;

/** How deeply a JSON text nests objects and arrays, read without parsing it. */
function nestingDepth(raw: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const char = raw.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      deepest = Math.max(deepest, ++depth);
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

/** The history of a stored, already validated config. */
export function historyOf(json: unknown): HistoryEntry[] {
  return (json as { history?: HistoryEntry[] | null }).history ?? [];
}

function describeIssue(issue: z.core.$ZodIssue, json: unknown): string {
  const path = issue.path
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
  const value = issue.path.reduce<unknown>(
    (node, key) => (node as Record<PropertyKey, unknown>)?.[key],
    json,
  );
  if (value === undefined) return `${path} is missing`;
  const message = issue.code === 'invalid_format' ? 'not an RFC 3339 date-time' : issue.message;
  return `${path}: ${message}`;
}
