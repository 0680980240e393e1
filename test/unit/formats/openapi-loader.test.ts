import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixtureFile, loadFixtures } from '../../../src/formats/load-fixtures.js';
import { MockdriftError } from '../../../src/model/errors.js';
import { tempDir } from '../../support/temp-dir.js';

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function write(name: string, text: string): string {
  const dir = tempDir('mockdrift-openapi-loader-');
  dirs.push(dir);
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

async function errorOf(name: string, text: string): Promise<MockdriftError> {
  const error = await loadFixtureFile(write(name, text), name).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(MockdriftError);
  return error as MockdriftError;
}

const VALID = `openapi: 3.0.3
info:
  title: t
  version: '1'
servers:
  - url: https://api.example.test/{version}
    variables:
      version:
        default: v2
paths:
  /orders/{orderId}/lines:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json; charset=utf-8:
              schema:
                type: array
                items: { $ref: '#/components/schemas/Line' }
        '404':
          description: none
        4XX:
          description: client error
components:
  schemas:
    Line:
      type: object
      properties:
        sku: { type: string }
`;

describe('the OpenAPI loader', () => {
  it('reads one interaction per operation and numeric status, below the server URL path', async () => {
    const interactions = await loadFixtureFile(write('api.yaml', VALID), 'api.yaml');
    expect(interactions.map((interaction) => `${interaction.name} ${interaction.request.path} ${interaction.response.contentType} ${interaction.response.schema ? 'schema' : '-'}`)).toEqual([
      'GET /v2/orders/{orderId}/lines 200 /v2/orders/:orderId/lines application/json schema',
      'GET /v2/orders/{orderId}/lines 404 /v2/orders/:orderId/lines null -',
    ]);
    expect(interactions[0]!.operation).toMatchObject({ statuses: [200, 404], ranges: [4], hasDefault: false, first: true, barePath: '/orders/:orderId/lines' });
    expect(interactions[0]!.location.line).toBe(18);
  });

  it('detects a YAML document by content, whatever the file is called', async () => {
    const interactions = await loadFixtureFile(write('api.txt', VALID), 'api.txt');
    expect(interactions).toHaveLength(2);
  });

  it('finds YAML specs in a fixtures directory', async () => {
    const path = write('api.yml', VALID);
    const interactions = await loadFixtures([join(path, '..')], { cwd: join(path, '..') });
    expect(interactions.map((interaction) => interaction.file)).toEqual(['api.yml', 'api.yml']);
  });

  it('follows a path item given by $ref, and takes the schema of a */* response without a content type', async () => {
    const text = `openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /things:
    $ref: '#/components/pathItems/Things'
components:
  pathItems:
    Things:
      get:
        responses:
          '200':
            description: ok
            content:
              '*/*':
                schema: { type: object }
`;
    const [interaction, ...rest] = await loadFixtureFile(write('ref.yaml', text), 'ref.yaml');
    expect(rest).toEqual([]);
    expect(interaction).toMatchObject({ request: { method: 'GET', path: '/things' }, response: { status: 200, contentType: null } });
    expect(interaction!.response.schema?.root.value).toEqual({ type: 'object' });
  });

  it('reads versions written as YAML numbers (openapi: 3.1, swagger: 2.0)', async () => {
    const openapi = await loadFixtureFile(write('v31.yaml', VALID.replace('openapi: 3.0.3', 'openapi: 3.1')), 'v31.yaml');
    expect(openapi[0]!.response.schema?.dialect).toBe('openapi-3.1');
    const swagger = 'swagger: 2.0\ninfo: { title: t, version: 1 }\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n          schema: { type: object }\n';
    const [interaction] = await loadFixtureFile(write('v2.yaml', swagger), 'v2.yaml');
    expect(interaction).toMatchObject({ request: { path: '/a' }, response: { status: 200, contentType: 'application/json' } });
  });

  describe('refuses a malformed document with file:line:column', () => {
    it('when the YAML does not parse', async () => {
      const error = await errorOf('bad.yaml', 'openapi: 3.0.3\npaths:\n  /a:\n    get: [unclosed\n');
      expect(error.code).toBe('FIXTURE_INVALID');
      expect(error.message).toMatch(/^bad\.yaml:\d+:\d+: not valid YAML/);
    });

    it('when the JSON does not parse', async () => {
      const error = await errorOf('bad.json', '{\n  "openapi": "3.0.3",\n  "paths": {,}\n}\n');
      expect(error.message).toMatch(/^bad\.json:3:\d+: not valid JSON/);
    });

    it('when a $ref points outside the document, naming it', async () => {
      const error = await errorOf('remote.yaml', VALID.replace("'#/components/schemas/Line'", "'common.yaml#/Line'"));
      expect(error.message).toBe(
        'remote.yaml:20:26: the $ref "common.yaml#/Line" points outside this document; mockdrift follows local references (#/...) only. Bundle the spec into one file first (e.g. `redocly bundle`).',
      );
    });

    it('when a local $ref names nothing', async () => {
      const error = await errorOf('dangling.yaml', VALID.replace("'#/components/schemas/Line'", "'#/components/schemas/Nope'"));
      expect(error.message).toMatch(/^dangling\.yaml:20:26: the \$ref "#\/components\/schemas\/Nope" names nothing/);
    });

    it('when a response status is not one', async () => {
      const error = await errorOf('status.yaml', VALID.replace("'404':", "'40x':"));
      expect(error.message).toMatch(/^status\.yaml:21:9: "40x" is not a response status/);
    });

    it('when the version is not one mockdrift reads', async () => {
      const error = await errorOf('version.yaml', VALID.replace('openapi: 3.0.3', 'openapi: 4.0.0'));
      expect(error.message).toMatch(/^version\.yaml:1:1: unsupported OpenAPI version "4\.0\.0"/);
    });

    it('when a path does not start with a slash', async () => {
      const error = await errorOf('path.yaml', VALID.replace('  /orders/{orderId}/lines:', '  orders:'));
      expect(error.message).toMatch(/^path\.yaml:11:3: the path "orders" must start with "\/"/);
    });
  });
});
