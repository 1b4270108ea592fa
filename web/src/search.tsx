import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from './graphql.ts';
import { go, hrefOf } from './route.ts';
import { ago } from './time.ts';

const SEARCH = graphql(`
  query Search($text: String!, $patterns: [String!]!, $byId: Boolean!, $byName: Boolean!) {
    image(id: $text) @include(if: $byId) { ...Found }
    images(first: 50, orderBy: CREATED_DESC, filter: { reference: $patterns }) @include(if: $byName) {
      totalCount
      edges { node { ...Found } }
    }
  }
  fragment Found on Image @_unmask { id shortId repoTags created os architecture }
`);

const DEBOUNCE_MS = 250;

/** What the text asks for: a pattern lists matching names; anything else is looked up as an ID or reference too. */
function readSearch(text: string) {
  const isPattern = /[*?[]/.test(text);
  // Only what could be part of a familiar name is matched against the names.
  const byName = /^[a-z0-9][a-z0-9._/:@*?[\]-]*$/.test(text);
  // A bare repository (ubuntu) also lists every tag of it.
  const bare = !isPattern && !text.includes(':') && !text.includes('@');
  return { text, patterns: bare ? [text, `${text}:*`] : [text], byId: !isPattern, byName };
}

/** Search as you type: an ID prefix, a reference, or a pattern such as acme/*:1.*. */
export function Search({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [asked, setAsked] = useState(initial.trim());
  useEffect(() => setText(initial), [initial]);
  useEffect(() => {
    const timer = setTimeout(() => {
      const trimmed = text.trim();
      setAsked(trimmed);
      // Typing refines one search: the first keystroke adds a history entry, the rest replace it.
      if (trimmed !== initial)
        go(trimmed ? { kind: 'search', text: trimmed } : { kind: 'home' }, initial !== '');
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, initial]);
  const [{ data, error }] = useQuery({
    query: SEARCH,
    variables: readSearch(asked),
    pause: asked === '',
  });
  const found = new Map<
    string,
    NonNullable<NonNullable<typeof data>['images']>['edges'][number]['node']
  >();
  if (asked && data?.image) found.set(data.image.id, data.image);
  for (const { node } of data?.images?.edges ?? []) found.set(node.id, node);
  // An ambiguous prefix or a name that is not a reference is no error for the list.
  const problem =
    error &&
    found.size === 0 &&
    !/NOT_FOUND|AMBIGUOUS|INVALID/.test(
      JSON.stringify(error.graphQLErrors.map((e) => e.extensions)),
    );
  return (
    <div className="search">
      <input
        type="search"
        aria-label="Search images"
        placeholder="ID prefix, reference or pattern (acme/*:1.*)"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      {asked && (
        <ul className="results" aria-label="Search results">
          {[...found.values()].map((image) => (
            <li key={image.id}>
              <a href={hrefOf({ kind: 'image', id: image.id })}>
                <code>{image.shortId}</code>
                <span className="tags">{image.repoTags.join(', ')}</span>
                <span className="created" title={image.created ?? ''}>
                  {ago(image.created)}
                </span>
                <span>{[image.os, image.architecture].filter(Boolean).join('/')}</span>
              </a>
            </li>
          ))}
          {found.size === 0 && (
            <li className="none">{problem ? error?.message : 'No image matches.'}</li>
          )}
        </ul>
      )}
    </div>
  );
}
