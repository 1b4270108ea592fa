import { parseIdQuery } from './image-id.js';
import { parseReference, referenceString, withDefaultTag } from './reference.js';

/**
 * The reference an argument may name, as Docker's image lookup reads it: a
 * tagged or digested reference, or a bare name meaning its `:latest`. Null
 * when the argument is not a reference, or is unmistakably an ID.
 */
export function referenceNamed(input: string): string | null {
  if (input.startsWith('sha256:')) return null;
  try {
    return referenceString(withDefaultTag(parseReference(input)));
  } catch {
    return null;
  }
}

/** Whether an argument is a valid ID or ID prefix (the ID rules apply to it). */
export function isIdArgument(input: string): boolean {
  try {
    parseIdQuery(input);
    return true;
  } catch {
    return false;
  }
}
