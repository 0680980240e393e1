import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFixtureFile, loadFixtureSet } from '../../../src/formats/load-fixtures.js';
import { PostmanLoader } from '../../../src/formats/postman-loader.js';
import { ResponsesLoader } from '../../../src/formats/responses-loader.js';
import { VcrLoader } from '../../../src/formats/vcr-loader.js';
import { VcrpyLoader } from '../../../src/formats/vcrpy-loader.js';
import { at, loadSample } from '../../support/fixture-samples.js';
import { tempDir } from '../../support/temp-dir.js';

describe('the VCR loader', () => {
  const { interactions } = loadSample(new VcrLoader(), 'test/fixtures/formats/vcr/payments-vcr6.yml');

  it('reads method, path and query from the URI, dropping the host or the placeholder left for it', () => {
    expect(interactions.map((interaction) => `${interaction.request.method} ${interaction.request.path ?? interaction.request.pathPattern}`)).toEqual([
      'POST /v1/charges',
      'GET /v1/charges/ch_1',
      'GET /v1/customers/[^/]+/?',
    ]);
    expect(at(interactions, 1).request.query).toEqual({ expand: ['customer'] });
  });

  it('decodes a gzip base64_string body, and keeps recorded_at as the fixture age', () => {
    expect(at(interactions, 1).response.body).toEqual({ id: 'ch_1', amount: 1200, customer: { id: 'cus_1' } });
    expect(at(interactions, 0).recordedAt).toBe('2026-04-14T09:12:44.000Z');
    expect(at(interactions, 1).response.headers['content-type']).toBe('application/json');
  });

  it('treats ERB tags as opaque values and never evaluates them', () => {
    expect(at(interactions, 2).response.body).toEqual({ id: '<%= customer_id %>', email: 'ada@example.com', balance: '<%= balance %>' });
  });

  it('marks headers as recorded, and points update at the body string', () => {
    expect(at(interactions, 0).response.headersRecorded).toBe(true);
    expect(at(interactions, 0).location.bodyTextPointer).toEqual(['http_interactions', 0, 'response', 'body', 'string']);
    // A compressed body is not text in the file: update leaves it alone.
    expect(at(interactions, 1).location.bodyTextPointer).toBeNull();
  });

  it('reads the VCR 1.x bare list', () => {
    const legacy = loadSample(new VcrLoader(), 'test/fixtures/formats/vcr/legacy-vcr1.yml').interactions;
    expect(legacy.map((interaction) => [interaction.request.method, interaction.request.path, interaction.response.body])).toEqual([['GET', '/v1/ping', { ok: true }]]);
  });
});

describe('the vcrpy loader', () => {
  it('decodes !!binary gzip bodies', () => {
    const { interactions } = loadSample(new VcrpyLoader(), 'test/fixtures/formats/vcrpy/users-gzip.yaml');
    expect(at(interactions, 0).response.body).toEqual({ id: 'usr_1', login: 'ada', plan: { name: 'pro', seats: 3 } });
    expect(at(interactions, 1).request.body).toEqual({ login: 'grace' });
    expect(at(interactions, 1).response.status).toBe(201);
  });
});

describe('the responses loader', () => {
  it('reads each recorded response with its content_type', () => {
    const { interactions } = loadSample(new ResponsesLoader(), 'test/fixtures/formats/responses/orders.yaml');
    expect(interactions.map((interaction) => [interaction.request.method, interaction.request.path, interaction.response.status, interaction.response.contentType])).toEqual([
      ['GET', '/api/orders', 200, 'application/json'],
      ['DELETE', '/api/orders/ord_0', 404, 'application/json'],
    ]);
  });
});

describe('the Postman loader', () => {
  it('reads every saved example in nested folders, resolving {{variables}} and keeping placeholder path variables as parameters', () => {
    const { interactions } = loadSample(new PostmanLoader(), 'test/fixtures/formats/postman/users-collection.json');
    expect(interactions.map((interaction) => [interaction.request.path ?? interaction.request.pathPattern, interaction.response.status])).toEqual([
      ['/v2/v1/users/usr_1', 200],
      ['/v2/v1/users/[^/]+/?', 404],
    ]);
    expect(at(interactions, 0).response.body).toEqual({ id: 'usr_1', name: 'Ada' });
  });

  it('reads v2.0 header text and a host variable without a value', () => {
    const { interactions } = loadSample(new PostmanLoader(), 'test/fixtures/formats/postman/v20-collection.json');
    expect(at(interactions, 0).request.path).toBe('/orders');
    expect(at(interactions, 0).request.query).toEqual({ limit: ['10'] });
    expect(at(interactions, 0).response.headers['x-page']).toBe('1');
  });
});

describe('scanning a folder with YAML files', () => {
  const dir = tempDir('mockdrift-scan-');
  afterAll(() => dir.remove());

  it('loads cassettes and lists a Rails fixture and a stray JSON file as skipped, never failing', async () => {
    mkdirSync(join(dir.path, 'spec', 'cassettes'), { recursive: true });
    writeFileSync(join(dir.path, 'spec', 'users.yml'), 'ada:\n  name: Ada\n  email: ada@example.com\n');
    writeFileSync(join(dir.path, 'spec', 'erb.yml'), '<% 3.times do |n| %>\nuser_<%= n %>:\n  name: <%= n %>\n<% end %>\n');
    writeFileSync(join(dir.path, 'spec', 'package.json'), '{"name":"x"}');
    writeFileSync(join(dir.path, 'spec', 'cassettes', 'ping.yml'), 'http_interactions:\n- request:\n    method: get\n    uri: http://x.test/ping\n  response:\n    status:\n      code: 200\n    body:\n      string: "{}"\nrecorded_with: VCR 6\n');
    const set = await loadFixtureSet(['spec/'], { cwd: dir.path });
    expect(set.interactions.map((interaction) => `${interaction.format} ${interaction.request.path}`)).toEqual(['vcr /ping']);
    expect(set.skipped.map((skipped) => skipped.file)).toEqual(['spec/erb.yml', 'spec/package.json', 'spec/users.yml']);
  });

  it('refuses a file named explicitly that is no fixture, naming file:line:column', async () => {
    await expect(loadFixtureSet(['spec/users.yml'], { cwd: dir.path })).rejects.toMatchObject({ code: 'FIXTURE_INVALID', message: expect.stringMatching(/^spec\/users\.yml:1:1: not a fixture/) });
  });

  it('refuses a malformed cassette found by scanning, naming file:line:column', async () => {
    mkdirSync(join(dir.path, 'broken'));
    writeFileSync(join(dir.path, 'broken', 'cassette.yml'), 'http_interactions:\n- request:\n    uri: [oops\n');
    await expect(loadFixtureSet(['broken/'], { cwd: dir.path })).rejects.toMatchObject({ code: 'FIXTURE_INVALID', message: expect.stringMatching(/^broken\/cassette\.yml:\d+:\d+: not valid YAML/) });
    await expect(loadFixtureFile(join(dir.path, 'broken', 'cassette.yml'), 'broken/cassette.yml')).rejects.toMatchObject({ code: 'FIXTURE_INVALID' });
  });
});
