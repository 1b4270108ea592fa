import { CycleError } from './errors.js';

/** An image of a batch and the image it names as its parent, if any. */
export interface ParentLink {
  id: string;
  parentId: string | null;
}

/**
 * Checks the parent links of a batch of new images: following them from any
 * image of the batch must leave the batch, never come back to where it
 * started. Throws CycleError naming a link that closes a loop.
 */
export function checkParentLinks(links: readonly ParentLink[]): void {
  const parentOf = new Map(links.map((link) => [link.id, link.parentId]));
  const settled = new Set<string>();
  for (const { id } of links) {
    const path = new Set<string>();
    let at: string | null | undefined = id;
    while (at != null && parentOf.has(at) && !settled.has(at)) {
      if (path.has(at)) throw new CycleError(at, parentOf.get(at)!);
      path.add(at);
      at = parentOf.get(at);
    }
    for (const seen of path) settled.add(seen);
  }
}
