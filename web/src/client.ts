import { Client, cacheExchange, fetchExchange } from 'urql';
import { token } from './token.ts';

/** The page's one GraphQL client, on the origin that served it. */
export const client = new Client({
  url: '/graphql',
  exchanges: [cacheExchange, fetchExchange],
  // Every view reloads on the live events; the cache only spares repeats.
  requestPolicy: 'cache-and-network',
  // POST: the server's CSRF guard turns away a GET without a preflighted header.
  preferGetMethod: false,
  fetchOptions: () => {
    const bearer = token();
    return bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {};
  },
});
