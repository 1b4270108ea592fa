import { useEffect, useState } from 'react';

/** What the address names: an image, a search, or neither. */
export type Route =
  | { kind: 'home' }
  | { kind: 'image'; id: string }
  | { kind: 'search'; text: string };

/** The route a location hash names: #/image/<id>, #/search/<text>. */
export function parseRoute(hash: string): Route {
  const [, kind, ...rest] = hash.replace(/^#/, '').split('/');
  const value = decodeURIComponent(rest.join('/'));
  if (kind === 'image' && value) return { kind: 'image', id: value };
  if (kind === 'search') return { kind: 'search', text: value };
  return { kind: 'home' };
}

/** The hash of a route, for links and history. */
export function hrefOf(route: Route): string {
  if (route.kind === 'image') return `#/image/${readable(route.id)}`;
  if (route.kind === 'search') return `#/search/${readable(route.text)}`;
  return '#/';
}

/** Escaped for a hash, keeping what IDs and references are made of readable. */
function readable(text: string): string {
  return encodeURIComponent(text).replace(/%(3A|2F|40)/g, (escaped) => decodeURIComponent(escaped));
}

/** Goes to a route: a new history entry, or in place of this one (while typing). */
export function go(route: Route, replace = false): void {
  const hash = hrefOf(route);
  if (location.hash === hash) return;
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

/** The current route, following back, forward and links. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
