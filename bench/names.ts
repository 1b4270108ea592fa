import { mulberry32 } from './forest.js';

/** A generated tag: the index of the image it names, and the reference. */
export interface SeedTag {
  image: number;
  reference: string;
}

const SHARE_TAGGED = 0.3;
const REPOSITORIES = 300;
const OFFICIAL = [
  'ubuntu',
  'debian',
  'alpine',
  'python',
  'node',
  'golang',
  'nginx',
  'redis',
  'postgres',
];
const REGISTRIES = ['ghcr.io', 'registry.example.com:5000', 'quay.io'];

/**
 * Names for a seeded forest, as a build host has them: about 30% of images
 * get one to three tags across a few hundred repositories (official images,
 * Docker Hub namespaces, other registries); the rest stay untagged, and the
 * untagged leaves among them are dangling.
 */
export function* generateNames(images: number, seed: number): Generator<SeedTag> {
  const random = mulberry32(seed + 7);
  const repositories = Array.from({ length: REPOSITORIES }, (_, i) => repositoryName(i));
  for (let image = 0; image < images; image++) {
    if (random() >= SHARE_TAGGED) continue;
    const tags = 1 + Math.floor(random() * 3);
    const repository = repositories[Math.floor(random() ** 2 * REPOSITORIES)]!;
    for (let i = 0; i < tags; i++) {
      const tag =
        i === 0 ? `${1 + (image % 9)}.${image % 97}.${i}` : i === 1 ? `build-${image}` : 'latest';
      yield { image, reference: `${repository}:${tag}` };
    }
  }
}

function repositoryName(i: number): string {
  if (i < OFFICIAL.length) return OFFICIAL[i]!;
  if (i % 5 === 0) return `${REGISTRIES[i % REGISTRIES.length]}/team${i % 17}/service-${i}`;
  return `team${i % 23}/app-${i}`;
}
