import { InvalidReferenceError } from './errors.js';

/**
 * An image reference as Docker's reference store keeps it, normalized:
 * `docker.io/library/ubuntu:22.04`, `ghcr.io/acme/api@sha256:…`.
 */
export interface Reference {
  /** The registry, with its port: `docker.io`, `localhost:5000`. */
  domain: string;
  /** The repository path in the registry: `library/ubuntu`, `acme/api`. */
  path: string;
  tag: string | null;
  digest: string | null;
}

/** The registry a name without a domain belongs to, and the path prefix of its official images. */
const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPOSITORY = 'library/';
/** The longest repository name (domain and path) a reference may have. */
export const NAME_MAX_LENGTH = 255;

// distribution/reference's grammar, piece by piece.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})`;
const DOMAIN = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** The hex lengths of the digest algorithms Docker verifies. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const IMAGE_ID = /^[a-f0-9]{64}$/;

/**
 * Parses a reference as Docker's CLI takes one and normalizes it
 * (distribution/reference's ParseNormalizedNamed): `ubuntu` is
 * `docker.io/library/ubuntu`, `acme/api` is `docker.io/acme/api`. Neither a
 * tag nor a digest is added; see withDefaultTag.
 */
export function parseReference(input: string): Reference {
  const fail = (reason: string) =>
    new InvalidReferenceError(`invalid reference "${input}": ${reason}`);
  if (input === '') throw fail('it is empty');
  if (IMAGE_ID.test(input)) throw fail('a 64-digit hexadecimal string is an image ID, not a name');
  const at = input.indexOf('@');
  const digest = at === -1 ? null : input.slice(at + 1);
  const named = at === -1 ? input : input.slice(0, at);
  if (digest !== null) checkDigest(digest, fail);
  // A tag follows the last colon that comes after the last slash (a colon
  // before it is a port).
  const colon = named.lastIndexOf(':');
  const tagged = colon > named.lastIndexOf('/');
  const tag = tagged ? named.slice(colon + 1) : null;
  const name = tagged ? named.slice(0, colon) : named;
  if (tag !== null && !TAG.test(tag)) {
    throw fail(`the tag "${tag}" is not [A-Za-z0-9_] followed by up to 127 of [A-Za-z0-9_.-]`);
  }
  const { domain, path } = splitDomain(name);
  if (path === '' || path.split('/').includes(''))
    throw fail('the repository name has an empty component');
  if (path !== path.toLowerCase()) throw fail('the repository name must be lowercase');
  if (!DOMAIN.test(domain)) throw fail(`"${domain}" is not a registry host with an optional port`);
  if (!PATH.test(path)) {
    throw fail(
      'each component of the repository name must be lowercase letters and digits, ' +
        'separated by one period, one or two underscores, or dashes',
    );
  }
  if (domain.length + 1 + path.length > NAME_MAX_LENGTH) {
    throw fail(`the repository name is longer than ${NAME_MAX_LENGTH} characters`);
  }
  return { domain, path, tag, digest };
}

function checkDigest(digest: string, fail: (reason: string) => Error): void {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  const length = DIGEST_HEX_LENGTH[algorithm];
  const hex = digest.slice(algorithm.length + 1);
  if (!DIGEST.test(digest) || length === undefined || hex.length !== length || /[A-F]/.test(hex)) {
    throw fail(
      `the digest "${digest}" is not sha256: and 64 lowercase hex digits (or sha384, sha512)`,
    );
  }
}

/** Docker's splitDockerDomain: the first component is a registry when it looks like a host. */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  const isHost =
    slash !== -1 &&
    (first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase());
  let domain = isHost ? first : DEFAULT_DOMAIN;
  let path = isHost ? name.slice(slash + 1) : name;
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && path !== '' && !path.includes('/'))
    path = OFFICIAL_REPOSITORY + path;
  return { domain, path };
}

/**
 * A reference with `:latest` when it names neither a tag nor a digest, as `docker tag` reads it.
 */
export function withDefaultTag(reference: Reference): Reference {
  return reference.tag === null && reference.digest === null
    ? { ...reference, tag: 'latest' }
    : reference;
}

/** The repository's full name: `docker.io/library/ubuntu`. */
export function repositoryName(reference: Pick<Reference, 'domain' | 'path'>): string {
  return `${reference.domain}/${reference.path}`;
}

/** The repository as `docker images` shows it: `ubuntu`, `acme/api`, `ghcr.io/acme/api`. */
export function familiarRepository(reference: Pick<Reference, 'domain' | 'path'>): string {
  if (reference.domain !== DEFAULT_DOMAIN) return repositoryName(reference);
  const official = reference.path.startsWith(OFFICIAL_REPOSITORY);
  const rest = reference.path.slice(OFFICIAL_REPOSITORY.length);
  return official && !rest.includes('/') ? rest : reference.path;
}

/** The full normalized reference: `docker.io/library/ubuntu:22.04`. */
export function referenceString(reference: Reference): string {
  return repositoryName(reference) + suffix(reference);
}

/** The reference as `docker images` shows it: `ubuntu:22.04`. */
export function familiarString(reference: Reference): string {
  return familiarRepository(reference) + suffix(reference);
}

function suffix({ tag, digest }: Reference): string {
  return (tag === null ? '' : `:${tag}`) + (digest === null ? '' : `@${digest}`);
}
