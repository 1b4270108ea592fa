import { makeConfig } from '../support/configs.js';
import { digest, type Op, type Outcome } from './history.js';

/** A seeded pseudo-random source (mulberry32): the same seed replays the same choices. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    below: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T | undefined => items[Math.floor(next() * items.length)],
  };
}
export type Random = ReturnType<typeof seededRandom>;

// Few layer names, so that chains share their lower layers across images.
const BASES = ['base-a', 'base-b', 'base-c'];
const UPPER = Array.from({ length: 9 }, (_, i) => `upper-${i}`);

/** What every client of a run shares: the configs sent so far and the IDs seen stored. */
export class Workload {
  readonly configs: string[] = [];
  readonly known = new Set<string>();
  #made = 0;

  constructor(private readonly seed: number) {}

  /** The next request of one client, drawn from its own random source. */
  next(random: Random): Op {
    const roll = random.next();
    const ids = [...this.known];
    const someId = () => random.pick(ids) ?? digest('nothing stored yet');
    if (roll < 0.35 || ids.length < 3)
      return {
        kind: 'create',
        config: this.#config(random),
        parent: random.chance(0.4) ? this.#name(random, someId()) : null,
      };
    if (roll < 0.5) return { kind: 'delete', id: someId() };
    if (roll < 0.6)
      return {
        kind: 'setParent',
        id: someId(),
        parent: random.chance(0.2) ? null : this.#name(random, someId()),
      };
    // Few names, so that tags move between images and race with each other.
    if (roll < 0.7)
      return {
        kind: 'tag',
        image: someId(),
        reference: `chaos/app-${random.below(4)}:v${random.below(3)}`,
      };
    if (roll < 0.75)
      return { kind: 'untag', reference: `chaos/app-${random.below(4)}:v${random.below(3)}` };
    return this.#read(random, someId());
  }

  /** A new config most of the time; sometimes one sent before, to create it again. */
  #config(random: Random): string {
    const again = random.chance(0.3) ? random.pick(this.configs) : undefined;
    if (again !== undefined) return again;
    const layers = [
      random.pick(BASES)!,
      ...Array.from({ length: random.below(5) }, () => random.pick(UPPER)!),
    ];
    const config = makeConfig(layers, `chaos ${this.seed} #${this.#made++}`);
    this.configs.push(config);
    return config;
  }

  /** An ID as clients write it: in full, or as a 12-digit prefix. */
  #name(random: Random, id: string): string {
    return random.chance(0.3) ? id.slice('sha256:'.length, 'sha256:'.length + 12) : id;
  }

  #read(random: Random, id: string): Op {
    const kind = random.below(5);
    if (kind === 0)
      return {
        kind: 'read',
        id,
        query: `query ($id: String!) { image(id: $id) {
          id rawConfig parent { id } children { id parent { id } } layers { chainId } } }`,
      };
    if (kind === 1)
      return {
        kind: 'read',
        id: null,
        query: `{ images(first: 20) {
          totalCount edges { node { id isHead layers { chainId } } } } }`,
      };
    if (kind === 2)
      return {
        kind: 'read',
        id: null,
        query: `{ images(first: 5, headsOnly: true) { edges { node { id ancestors { id }
          descendants(first: 10) { totalCount edges { depth node { id } } } } } } }`,
      };
    if (kind === 3)
      return {
        kind: 'read',
        id: null,
        query: `{ images(first: 10, orderBy: CREATED_DESC, filter: { reference: ["chaos/*"] }) {
          totalCount edges { node { id created repoTags } } } }`,
      };
    return {
      kind: 'read',
      id: null,
      query: `{ reference(name: "chaos/app-${random.below(4)}:v${random.below(3)}") {
        name image { id rawConfig repoTags } } }`,
    };
  }

  /** Learns from an answer which images are stored now. */
  learn(op: Op, outcome: Outcome): void {
    if (outcome.kind !== 'ok') return;
    if (op.kind === 'create') this.known.add(outcome.data.createImage.image.id);
    if (op.kind === 'delete') this.known.delete(op.id);
  }
}

const MUTATIONS = {
  create: `mutation ($config: String!, $parent: String) {
    createImage(config: $config, parent: $parent) { created image { id } } }`,
  delete: `mutation ($id: String!) {
    deleteImage(id: $id) { deletedImageId releasedLayers { chainId } } }`,
  setParent: `mutation ($id: String!, $parent: String) {
    setParent(id: $id, parent: $parent) { image { id parent { id } } } }`,
  tag: `mutation ($image: String!, $reference: String!) {
    tagImage(image: $image, reference: $reference) {
      reference { familiarName } image { id repoTags } previousImage { id } } }`,
  untag: `mutation ($reference: String!) {
    untagImage(reference: $reference) { reference image { id } } }`,
};

/** Sends one request over HTTP and tells what came back; gives up after `timeoutMs`. */
export async function perform(url: string, op: Op, timeoutMs: number): Promise<Outcome> {
  const { kind, ...args } = op;
  const { query, variables } =
    op.kind === 'read'
      ? { query: op.query, variables: op.id === null ? {} : { id: op.id } }
      : { query: MUTATIONS[op.kind], variables: args };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (!body.errors) return { kind: 'ok', data: body.data };
    return {
      kind: 'error',
      codes: body.errors.map((error) => error.extensions?.code ?? null),
      messages: body.errors.map((error) => error.message),
      status: response.status,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { kind: 'none', reason: cause ?? (error as Error).name };
  }
}
