import { digestOf } from './digest.js';

/**
 * The chain IDs of a stack of layers, base first. A chain ID names a layer
 * together with everything below it, so equal stacks share their rows:
 * ChainID(1) = DiffID(1); ChainID(n) = sha256(ChainID(n-1) + " " + DiffID(n)).
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const chain: string[] = [];
  for (const diffId of diffIds) {
    const below = chain.at(-1);
    chain.push(below === undefined ? diffId : digestOf(`${below} ${diffId}`));
  }
  return chain;
}
