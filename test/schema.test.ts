import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isNonNullType, isObjectType } from 'graphql';
import { printedSchema, schema } from '../src/schema/index.js';

/**
 * A field as `name(arg: Type, ...): Type`, read from the executable schema,
 * with only the arguments the contract names: others may stand beside them,
 * but only optional ones, so that every client of the contract still works.
 */
function signature(typeName: string, expected: string): string {
  const fieldName = expected.split(/[(:]/)[0]!;
  const fixedArgs = [...expected.matchAll(/(\w+): [^,)]+[,)]/g)].map((m) => m[1]);
  const type = schema.getType(typeName);
  assert.ok(isObjectType(type), `${typeName} is an object type`);
  const field = type.getFields()[fieldName];
  assert.ok(field, `${typeName}.${fieldName} exists`);
  const added = field.args.filter((arg) => !fixedArgs.includes(arg.name));
  for (const arg of added)
    assert.ok(!isNonNullType(arg.type), `${typeName}.${fieldName}(${arg.name}) is optional`);
  const args = field.args
    .filter((arg) => fixedArgs.includes(arg.name))
    .map((arg) => `${arg.name}: ${arg.type}`)
    .join(', ');
  return `${fieldName}${args ? `(${args})` : ''}: ${field.type}`;
}

// The names and types fixed by the contract; other fields may stand beside them.
const CONTRACT: Record<string, string[]> = {
  Mutation: [
    'createImage(config: String!): CreateImagePayload!',
    'deleteImage(id: String!): DeleteImagePayload!',
    'setParent(id: String!, parent: String): SetParentPayload!',
  ],
  Query: ['image(id: String!): Image', 'layer(chainId: String!): Layer'],
  CreateImagePayload: ['image: Image!', 'created: Boolean!'],
  DeleteImagePayload: ['deletedImageId: ID!', 'releasedLayers: [LayerMetadata!]!'],
  SetParentPayload: ['image: Image!'],
  Image: [
    'id: ID!',
    'shortId: String!',
    'config: JSON!',
    'rawConfig: String!',
    'created: DateTime',
    'architecture: String',
    'os: String',
    'author: String',
    'comment: String',
    'history: [HistoryEntry!]!',
    'parent: Image',
    'children: [Image!]!',
    'ancestors: [Image!]!',
    'layers: [Layer!]!',
    'isHead: Boolean!',
  ],
  HistoryEntry: [
    'created: DateTime',
    'createdBy: String',
    'author: String',
    'comment: String',
    'emptyLayer: Boolean!',
  ],
  Layer: ['chainId: ID!', 'diffId: String!', 'parent: Layer', 'images: [Image!]!'],
  LayerMetadata: ['chainId: ID!', 'diffId: String!'],
  ImageConnection: ['edges: [ImageEdge!]!', 'pageInfo: PageInfo!', 'totalCount: Int!'],
  ImageEdge: ['cursor: String!', 'node: Image!'],
};

describe('schema', () => {
  it('when the schema is printed, then it matches schema.graphql (else `npm run schema`)', () => {
    assert.equal(
      readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
      printedSchema(),
    );
  });

  it("when the contract's fields are read, then each has its fixed name and type", () => {
    for (const [typeName, fields] of Object.entries(CONTRACT)) {
      for (const expected of fields) {
        assert.equal(signature(typeName, expected), expected);
      }
    }
  });

  it('when images is read, then it takes first, after, headsOnly, gives an ImageConnection', () => {
    const images = schema.getQueryType()!.getFields().images!;
    assert.equal(String(images.type), 'ImageConnection!');
    const args = Object.fromEntries(images.args.map((arg) => [arg.name, String(arg.type)]));
    assert.deepEqual([args.first, args.after, args.headsOnly], ['Int', 'String', 'Boolean']);
  });
});
