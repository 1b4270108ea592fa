import { createHash } from 'node:crypto';

/** One request of the chaos run, as a client sent it. */
export type Op =
  | { kind: 'create'; config: string; parent: string | null }
  | { kind: 'delete'; id: string }
  | { kind: 'setParent'; id: string; parent: string | null }
  | { kind: 'tag'; image: string; reference: string }
  | { kind: 'untag'; reference: string }
  | { kind: 'read'; query: string; id: string | null };

/**
 * What came back: an answer without errors, coded errors, or nothing (the
 * server was down or dropped the connection). A write whose answer was
 * nothing or DATABASE_UNAVAILABLE may or may not have happened.
 */
export type Outcome =
  | { kind: 'ok'; data: any }
  | { kind: 'error'; codes: (string | null)[]; messages: string[]; status: number }
  | { kind: 'none'; reason: string };

/** A request with its outcome and when it started and ended (ms on one clock). */
export interface Entry {
  client: number;
  op: Op;
  start: number;
  end: number;
  outcome: Outcome;
}

/** Codes a request may fairly answer with during the run; anything else is a defect. */
export const EXPECTED_CODES = new Set([
  'NOT_FOUND',
  'CYCLE',
  'AMBIGUOUS_ID',
  'DATABASE_UNAVAILABLE',
]);

/** The store as it ended: each image's config text by ID. */
export type FinalImages = Map<string, string>;

/** sha256:<hex> of a text, as the store names configs. */
export function digest(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

const imageOf = (op: Op) =>
  op.kind === 'create' ? digest(op.config) : op.kind === 'delete' ? op.id : null;
// A write that may have taken effect: acknowledged, or never answered for sure.
const mayHaveHappened = (entry: Entry) =>
  entry.outcome.kind !== 'error' || entry.outcome.codes.includes('DATABASE_UNAVAILABLE');

/**
 * Checks a whole run: every answer is well-formed and coded, none took longer
 * than the fail-fast limit, every acknowledged create is stored with its exact
 * bytes unless a delete may have followed it, every acknowledged delete is gone
 * unless a create may have followed it, and nothing is stored that no one sent.
 */
export function checkHistory(
  entries: readonly Entry[],
  final: FinalImages,
  failFastMs: number,
): string[] {
  const problems: string[] = [];
  for (const entry of entries) problems.push(...checkAnswer(entry, failFastMs));

  const byImage = new Map<string, Entry[]>();
  for (const entry of entries) {
    const id = imageOf(entry.op);
    if (id !== null) byImage.set(id, [...(byImage.get(id) ?? []), entry]);
  }
  const sent = new Map<string, string>();
  for (const { op } of entries) if (op.kind === 'create') sent.set(digest(op.config), op.config);

  for (const [id, history] of byImage) {
    const creates = history.filter((entry) => entry.op.kind === 'create');
    const deletes = history.filter((entry) => entry.op.kind === 'delete');
    const possibleCreates = creates.filter(mayHaveHappened);
    const possibleDeletes = deletes.filter(mayHaveHappened);
    const acked = (entry: Entry) => entry.outcome.kind === 'ok';
    const mustExist = creates.some(
      (c) => acked(c) && possibleDeletes.every((d) => d.end <= c.start),
    );
    const mustBeGone = deletes.some(
      (d) => acked(d) && possibleCreates.every((c) => c.end <= d.start),
    );
    const stored = final.get(id);
    if (mustExist && stored === undefined)
      problems.push(`${id}: acknowledged create, no delete after it, but the image is gone`);
    if (mustBeGone && stored !== undefined)
      problems.push(`${id}: acknowledged delete, no create after it, but the image is stored`);
    if (stored !== undefined && stored !== sent.get(id))
      problems.push(`${id}: stored bytes differ from the config sent`);
  }
  for (const id of final.keys())
    if (!sent.has(id)) problems.push(`${id}: stored, but no client sent it`);
  return problems;
}

/** What is wrong with one answer on its own. */
function checkAnswer({ op, start, end, outcome }: Entry, failFastMs: number): string[] {
  const what = `${op.kind} at ${Math.round(start)} ms`;
  const problems: string[] = [];
  if (end - start > failFastMs)
    problems.push(`${what}: answered after ${Math.round(end - start)} ms (limit ${failFastMs})`);
  if (outcome.kind === 'error') {
    outcome.codes.forEach((code, i) => {
      if (code === null || !EXPECTED_CODES.has(code))
        problems.push(`${what}: error ${code ?? 'without a code'}: ${outcome.messages[i]}`);
    });
    const asked = 'id' in op ? op.id : null;
    if (
      outcome.codes.includes('AMBIGUOUS_ID') &&
      asked !== null &&
      /^sha256:[0-9a-f]{64}$/.test(asked)
    ) {
      problems.push(`${what}: AMBIGUOUS_ID for the full ID ${asked}`);
    }
    if (outcome.codes.includes('DATABASE_UNAVAILABLE') && outcome.status !== 503) {
      problems.push(`${what}: DATABASE_UNAVAILABLE with HTTP ${outcome.status}, not 503`);
    }
  }
  if (outcome.kind === 'ok')
    problems.push(...checkData(op, outcome.data).map((problem) => `${what}: ${problem}`));
  return problems;
}

/** Whether an answer is the answer to its own question. */
function checkData(op: Op, data: any): string[] {
  switch (op.kind) {
    case 'create':
      return data?.createImage?.image?.id === digest(op.config)
        ? []
        : [`created ${data?.createImage?.image?.id}, sent ${digest(op.config)}`];
    case 'delete':
      return data?.deleteImage?.deletedImageId === op.id
        ? []
        : [`deleted ${data?.deleteImage?.deletedImageId}, asked ${op.id}`];
    case 'setParent':
      return data?.setParent?.image?.id === op.id
        ? []
        : [`setParent answered ${data?.setParent?.image?.id}, asked ${op.id}`];
    case 'tag': {
      const answer = data?.tagImage;
      const problems =
        answer?.reference?.familiarName === op.reference
          ? []
          : [`tagged ${answer?.reference?.familiarName}, asked ${op.reference}`];
      if (answer?.image?.id !== op.image)
        problems.push(`tagged image ${answer?.image?.id}, asked ${op.image}`);
      if (answer?.previousImage?.id === op.image)
        problems.push(`${op.reference} moved from ${op.image} to itself`);
      return problems;
    }
    case 'untag':
      return data?.untagImage?.reference === op.reference
        ? []
        : [`untagged ${data?.untagImage?.reference}, asked ${op.reference}`];
    case 'read':
      return checkRead(op, data);
  }
}

function checkRead(op: Extract<Op, { kind: 'read' }>, data: any): string[] {
  const problems: string[] = [];
  const image = data?.image ?? data?.reference?.image;
  if (image) {
    if (op.id !== null && image.id !== op.id) problems.push(`asked for ${op.id}, got ${image.id}`);
    if (image.rawConfig !== undefined && digest(image.rawConfig) !== image.id)
      problems.push(`${image.id}: its rawConfig hashes elsewhere`);
    for (const child of image.children ?? []) {
      if (child.parent?.id !== image.id)
        problems.push(`${image.id}: child ${child.id} names parent ${child.parent?.id}`);
    }
    if (
      image.layers &&
      image.rawConfig &&
      image.layers.length !== JSON.parse(image.rawConfig).rootfs.diff_ids.length
    ) {
      problems.push(`${image.id}: ${image.layers.length} layers for a config with other diff IDs`);
    }
  }
  const ids: string[] | undefined = data?.images?.edges?.map((edge: any) => edge.node.id);
  const created: (string | null)[] | undefined = data?.images?.edges?.map(
    (edge: any) => edge.node.created,
  );
  if (op.query.includes('CREATED_DESC')) {
    // Newest first, ties by ID descending. (Its tags load after the page, so a
    // concurrent untag may leave one listed image without them: not checked.)
    const keys = ids!.map((id, i) => `${created![i] ?? ''} ${id}`);
    if (keys.some((key, i) => i > 0 && key >= keys[i - 1]!))
      problems.push('an image page out of creation order');
  } else if (ids?.some((id, i) => i > 0 && id <= ids[i - 1]!))
    problems.push('an image page out of ID order');
  return problems;
}
