import { createHash } from 'node:crypto';

/** One generated image: its config text and the index of its parent, if any. */
export interface ForestImage {
  rawConfig: string;
  parent: number | null;
  depth: number;
}

/** The shape of a generated forest. */
export interface ForestOptions {
  images: number;
  seed: number;
}

const MAX_DEPTH = 12;
const MAX_LAYERS = 12;
const BASE_SHARE = 0.01;
const UNLINKED_SHARE = 0.2;

/**
 * A deterministic forest shaped like a build host or a registry: about 1% base
 * images, the rest built on an earlier image of the same base, chosen so that a
 * few bases carry thousands of descendants (a Zipf law over bases); chains up to
 * 12 deep; each image's layers and history extend its parent's, so that its
 * lineage is its parent tree. About 20% of built images have no parent link,
 * as pulled images have none, and only their lineage places them. Configs run
 * 2 to 8 KB.
 */
export function* generateForest({ images, seed }: ForestOptions): Generator<ForestImage> {
  const random = mulberry32(seed);
  const baseCount = Math.max(1, Math.round(images * BASE_SHARE));
  const zipf = cumulative(Array.from({ length: baseCount }, (_, rank) => 1 / (rank + 1) ** 1.1));
  // Per base, the images that can still take children (depth < 12).
  const open: number[][] = [];
  const layersOf: string[][] = [];
  const historyOf: HistoryStep[][] = [];
  const depthOf: number[] = [];
  for (let index = 0; index < images; index++) {
    const isBase = open.length < baseCount && (index < baseCount / 4 || random() < BASE_SHARE * 2);
    let parent: number | null = null;
    let base = open.length;
    if (isBase || open.length === 0) {
      open.push([]);
    } else {
      base = pick(zipf, random() * zipf.at(-1)!) % open.length;
      const candidates = open[base]!;
      parent = candidates.length > 0 ? candidates[Math.floor(random() * candidates.length)]! : null;
    }
    const inherited = parent === null ? [] : layersOf[parent]!;
    const added =
      parent === null
        ? 2 + Math.floor(random() * 5)
        : weighted(random(), [
            [0.1, 0],
            [0.7, 1],
            [0.2, 2],
          ]);
    const layers = [...inherited];
    for (let i = 0; i < added && layers.length < MAX_LAYERS; i++)
      layers.push(diffId(seed, index, i));
    if (layers.length === 0) layers.push(diffId(seed, index, 0));
    const depth = parent === null ? 0 : depthOf[parent]! + 1;
    layersOf.push(layers);
    depthOf.push(depth);
    if (depth < MAX_DEPTH) open[base]!.push(index);
    const inheritedHistory = parent === null ? [] : historyOf[parent]!;
    const { rawConfig, history } = makeConfig(
      random,
      index,
      layers,
      inherited.length,
      inheritedHistory,
    );
    historyOf.push(history);
    const linked = parent !== null && random() >= UNLINKED_SHARE;
    yield { rawConfig, parent: linked ? parent : null, depth };
  }
}

/** One entry of a generated history. */
interface HistoryStep {
  created: string;
  created_by: string;
  comment: string;
  empty_layer?: boolean;
}

function makeConfig(
  random: () => number,
  index: number,
  layers: string[],
  inheritedCount: number,
  inheritedHistory: HistoryStep[],
): { rawConfig: string; history: HistoryStep[] } {
  const created = new Date(Date.UTC(2024, 0, 1) + index * 61_000).toISOString();
  const packages = Array.from(
    { length: 3 + Math.floor(random() * 6) },
    () => PACKAGES[Math.floor(random() * PACKAGES.length)],
  );
  const install = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const own = layers.slice(inheritedCount).flatMap((_, j) => {
    const i = inheritedCount + j;
    const step = {
      created,
      created_by:
        i === 0
          ? `/bin/sh -c #(nop) ADD file:${layers[i]!.slice(7, 71)} in / `
          : `RUN /bin/sh -c apt-get update && ${install} && rm -rf /var/lib/apt/lists/* # buildkit`,
      comment: 'buildkit.dockerfile.v0',
    };
    const metadata = {
      created,
      created_by: `ENV STEP_${index}_${i}=${random().toString(36).slice(2)}`,
      comment: 'buildkit.dockerfile.v0',
      empty_layer: true,
    };
    return random() < 0.5 ? [step, metadata] : [step];
  });
  // An image that adds no layer still adds a step (an ENV, a LABEL): its
  // history extends its parent's.
  const history: HistoryStep[] = [
    ...inheritedHistory,
    ...(own.length > 0
      ? own
      : [
          {
            created,
            created_by: `LABEL build=${index}`,
            comment: 'buildkit.dockerfile.v0',
            empty_layer: true,
          },
        ]),
  ];
  const team = index % 97;
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': `service-${index}`,
    'org.opencontainers.image.revision': createHash('sha1').update(String(index)).digest('hex'),
    'org.opencontainers.image.source': `https://git.example.com/team-${team}/service-${index}`,
    'org.opencontainers.image.created': created,
  };
  // Pad with build labels to a size drawn from 2 to 8 KB, as real configs vary.
  const target = 2048 + Math.floor(random() * 6144);
  const config = {
    architecture: random() < 0.8 ? 'amd64' : 'arm64',
    os: 'linux',
    created,
    author: `builder-${index % 13}`,
    config: {
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `APP_VERSION=1.${index % 50}.${index % 7}`,
        'LANG=C.UTF-8',
      ],
      Cmd: ['/usr/local/bin/app', '--port', '8080'],
      WorkingDir: '/srv/app',
      Labels: labels,
      ExposedPorts: { '8080/tcp': {} },
    },
    rootfs: { type: 'layers', diff_ids: layers },
    history,
  };
  // Each label adds its key and value, two pairs of quotes, a colon and a comma.
  for (let size = JSON.stringify(config).length, i = 0; size < target; i++) {
    const key = `com.example.build.step-${i}`;
    const suffix = random().toString(36).slice(2) + random().toString(36).slice(2);
    const value = `${packages[i % packages.length]}=${suffix}`;
    labels[key] = value;
    size += key.length + value.length + 6;
  }
  return { rawConfig: JSON.stringify(config), history };
}

const PACKAGES = [
  'ca-certificates',
  'curl',
  'git',
  'openssl',
  'tzdata',
  'libssl3',
  'python3',
  'nodejs',
  'postgresql-client',
  'build-essential',
  'libpq5',
  'zlib1g',
  'gnupg',
  'unzip',
  'jq',
  'locales',
  'netbase',
  'procps',
  'libxml2',
];

function diffId(seed: number, image: number, layer: number): string {
  return `sha256:${createHash('sha256').update(`${seed}:${image}:${layer}`).digest('hex')}`;
}

/** A small, fast, seeded PRNG: the same seed gives the same forest. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cumulative(weights: number[]): number[] {
  let sum = 0;
  return weights.map((weight) => (sum += weight));
}

/** The index of the first cumulative weight at or above x. */
function pick(sums: number[], x: number): number {
  let low = 0;
  let high = sums.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sums[mid]! < x) low = mid + 1;
    else high = mid;
  }
  return low;
}

function weighted<T>(x: number, choices: [number, T][]): T {
  let left = x;
  for (const [weight, value] of choices) {
    left -= weight;
    if (left < 0) return value;
  }
  return choices.at(-1)![1];
}
