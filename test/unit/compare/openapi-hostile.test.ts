import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateShapes } from '../../../src/compare/aggregate-shape.js';
import { mockAgainstSpecDrifts, specFixtureDrifts } from '../../../src/compare/schema-drifts.js';
import { FixtureDocument } from '../../../src/formats/fixture-document.js';
import { OpenApiDocument } from '../../../src/formats/openapi-document.js';
import { loadOpenApi } from '../../../src/formats/openapi-loader.js';
import { MockdriftError } from '../../../src/model/errors.js';
import { shapeOf } from '../../../src/model/shape.js';

/** At most 150 runs, and never more than 3 s of them. */
const FUZZ = { numRuns: 150, interruptAfterTimeLimit: 3_000 } as const;

const refs = fc.constantFrom('#/components/schemas/A', '#/components/schemas/B', '#/components/schemas', '#', '#/nope', 'other.yaml#/A', 'https://example.test/x.json');
/** Schema-ish values: the keywords the comparator reads, with any values, $refs among them (cycles too). */
const schema: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.record({ $ref: refs }),
    fc.record(
      {
        type: fc.oneof(fc.constantFrom('object', 'array', 'string', 'integer', 'number', 'boolean', 'null'), fc.array(fc.constantFrom('string', 'null', 'object'))),
        properties: fc.dictionary(fc.string({ maxLength: 4 }), tie('node'), { maxKeys: 4 }),
        required: fc.oneof(fc.array(fc.string({ maxLength: 4 })), fc.jsonValue({ maxDepth: 1 })),
        items: tie('node'),
        allOf: fc.array(tie('node'), { maxLength: 3 }),
        oneOf: fc.array(tie('node'), { maxLength: 3 }),
        anyOf: fc.array(tie('node'), { maxLength: 3 }),
        additionalProperties: fc.oneof(fc.boolean(), tie('node')),
        nullable: fc.jsonValue({ maxDepth: 0 }),
        enum: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 })), fc.jsonValue({ maxDepth: 1 })),
        format: fc.oneof(fc.constantFrom('date', 'date-time', 'uuid', 'email', 'uri'), fc.jsonValue({ maxDepth: 0 })),
      },
      { requiredKeys: [] },
    ),
  ),
})).node;

const spec = fc.record({
  openapi: fc.constantFrom('3.0.3', '3.1.0'),
  paths: fc.dictionary(
    fc.constantFrom('/a', '/a/{id}', '/b/{x}/{y}', 'bad', '/c'),
    fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({ get: fc.record({ responses: fc.dictionary(fc.constantFrom('200', '404', 'default', '2XX', 'nope'), fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.record({ description: fc.constant('x'), content: fc.record({ 'application/json': fc.record({ schema }) }) }))) }) }),
    ),
    { maxKeys: 3 },
  ),
  components: fc.record({ schemas: fc.record({ A: schema, B: schema }) }),
});

describe('OpenAPI documents under arbitrary input (fast-check)', () => {
  it('load or are FIXTURE_INVALID, and every schema compares with any body without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(spec, fc.jsonValue({ maxDepth: 4 }), async (document, body) => {
        let interactions;
        try {
          interactions = await loadOpenApi(new OpenApiDocument(FixtureDocument.parse('spec.json', JSON.stringify(document))));
        } catch (error) {
          expect(error).toBeInstanceOf(MockdriftError);
          expect((error as MockdriftError).code).toBe('FIXTURE_INVALID');
          return;
        }
        const reality = aggregateShapes([{ shape: shapeOf(body), count: 1 }]);
        for (const interaction of interactions) {
          if (!interaction.response.schema) continue;
          expect(Array.isArray(specFixtureDrifts(interaction.response.schema, reality, { samples: () => [body] }))).toBe(true);
          expect(Array.isArray(mockAgainstSpecDrifts(interaction.response.schema, reality, { samples: () => [body] }))).toBe(true);
        }
      }),
      FUZZ,
    );
  }, 20_000);
});
