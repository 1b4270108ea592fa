import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { QueryTooComplexError } from '../domain/errors.js';
import type { Context } from '../server/context.js';

/** The schema builder: plugins, scalars and root types. Types live in schema/. */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Connection: { totalCount: () => Promise<number> };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ComplexityPlugin, DataloaderPlugin, RelayPlugin],
  defaultFieldNullability: false,
  // A query's cost is estimated before it runs: every field costs 1, and what
  // a list selects counts once per item the list is expected to hold.
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (context) => ({ complexity: context.limits.cost }),
    complexityError: (_kind, result) =>
      new QueryTooComplexError(
        `the query's estimated cost is ${result.complexity}; this server takes at most ` +
          `${result.maxComplexity}`,
      ),
  },
  relay: {
    // Image IDs are digests already: no Relay global IDs, no node/nodes fields.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    // A connection's own multiplier is its page size; its edges add none.
    edgesFieldOptions: {
      nullable: { list: false, items: false },
      complexity: { field: 1, multiplier: 1 },
    },
    nodeFieldOptions: { nullable: false },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the whole connection holds, across all pages.',
    resolve: (connection) => connection.totalCount(),
  }),
);
