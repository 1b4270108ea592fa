import { InvalidIdError } from './errors.js';

/** What an ID argument asks for: one exact digest, or every digest with a prefix. */
export type IdQuery = { exact: string } | { prefix: string };

const HEX = /^[0-9a-f]{1,64}$/;

/**
 * Reads an ID argument: a full digest, `sha256:` and a hex prefix, or a bare
 * hex prefix. Hex is taken in either case, as Docker's CLI does.
 */
export function parseIdQuery(input: string): IdQuery {
  const hex = (input.startsWith('sha256:') ? input.slice('sha256:'.length) : input).toLowerCase();
  if (!HEX.test(hex)) {
    throw new InvalidIdError(
      `invalid ID "${input}": expected sha256:<hex>, or a prefix of up to 64 hex digits`,
    );
  }
  const digest = `sha256:${hex}`;
  return hex.length === 64 ? { exact: digest } : { prefix: digest };
}
