import { copyFileSync, cpSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check.js';
import { loadFixtureFile } from '../../src/formats/load-fixtures.js';
import type { FixtureInteraction } from '../../src/model/fixture.js';
import { normalizePath } from '../../src/model/route.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Spec as reality over the fixtures of every format: real fixture files (the samples of each
 * loader and the cassettes and collections from public repositories), each checked against an
 * OpenAPI document written to describe exactly what it answers — clean — and against the same
 * document with one required property renamed — drift found in that file.
 */
const SAMPLE_DIRS = ['test/fixtures/formats/native', 'test/fixtures/formats/pact', 'test/fixtures/formats/har', 'test/fixtures/formats/nock', 'test/fixtures/formats/wiremock/mappings'];
const NEW_FORMATS = resolve('../shared/real-fixtures/new-formats');

function files(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile() && /\.(json|har|ya?ml)$/.test(path));
}

const fixtureFiles = [...SAMPLE_DIRS.flatMap(files), ...readdirSync(NEW_FORMATS).filter((name) => statSync(join(NEW_FORMATS, name)).isDirectory()).flatMap((name) => files(join(NEW_FORMATS, name)))];

type Schema = Record<string, unknown>;

/** A schema every value fits: properties present in every object required, types as seen. */
function schemaOf(values: readonly unknown[], depth = 0): Schema {
  const types = new Set<string>();
  const objects: Array<Record<string, unknown>> = [];
  const items: unknown[] = [];
  for (const value of values) {
    if (value === null) types.add('null');
    else if (Array.isArray(value)) {
      types.add('array');
      for (const item of value.slice(0, 50)) items.push(item);
    } else if (typeof value === 'object') {
      types.add('object');
      objects.push(value as Record<string, unknown>);
    } else types.add(typeof value === 'number' ? 'number' : typeof value);
  }
  if (depth > 12) return {};
  const schema: Schema = { type: types.size === 1 ? [...types][0] : [...types].sort() };
  if (objects.length > 0) {
    const keys = [...new Set(objects.flatMap((object) => Object.keys(object)))];
    schema['properties'] = Object.fromEntries(keys.map((key) => [key, schemaOf(objects.filter((object) => Object.hasOwn(object, key)).map((object) => object[key]), depth + 1)]));
    const required = keys.filter((key) => objects.every((object) => Object.hasOwn(object, key)));
    if (required.length > 0) schema['required'] = required;
  }
  if (types.has('array') && items.length > 0) schema['items'] = schemaOf(items, depth + 1);
  return schema;
}

/** An OpenAPI 3.1 document describing what the interactions answer; `rename` renames one required property. */
function specFor(interactions: readonly FixtureInteraction[], rename?: { interaction: FixtureInteraction; key: string }): string {
  const byResponse = new Map<string, { path: string; method: string; status: number; media: string; bodies: unknown[] }>();
  for (const interaction of interactions) {
    if (interaction.request.path === null || interaction.request.method === 'ANY') continue;
    const path = normalizePath(interaction.request.path);
    const key = `${interaction.request.method} ${path} ${interaction.response.status}`;
    const media = isJson(interaction.response.contentType) ? 'application/json' : interaction.response.contentType!;
    const entry = byResponse.get(key) ?? { path, method: interaction.request.method.toLowerCase(), status: interaction.response.status, media, bodies: [] };
    if (interaction.response.body !== undefined) entry.bodies.push(interaction.response.body);
    byResponse.set(key, entry);
  }
  const paths: Record<string, Record<string, { responses: Record<string, unknown> }>> = {};
  for (const { path, method, status, media, bodies } of byResponse.values()) {
    const operation = ((paths[path] ??= {})[method] ??= { responses: {} });
    const schema = bodies.length > 0 ? schemaOf(bodies) : undefined;
    if (schema && rename && normalizePath(rename.interaction.request.path!) === path && rename.interaction.request.method.toLowerCase() === method && rename.interaction.response.status === status) {
      const properties = schema['properties'] as Schema;
      properties[`${rename.key}Renamed`] = properties[rename.key];
      delete properties[rename.key];
      schema['required'] = [...((schema['required'] as string[]) ?? []).filter((key) => key !== rename.key), `${rename.key}Renamed`];
    }
    operation.responses[String(status)] = { description: 'as recorded', ...(schema ? { content: { [media]: { schema } } } : {}) };
  }
  return JSON.stringify({ openapi: '3.1.0', info: { title: 'from fixtures', version: '1' }, paths }, null, 2);
}

function isJson(type: string | null): boolean {
  return type === null || /^application\/(?:[\w.+-]+\+)?json$|^text\/json$/.test(type);
}

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

describe.each(fixtureFiles)('the fixture %s against an OpenAPI document as reality', (fixturePath) => {
  it('is clean against a spec of what it answers, and drifted against one with a required property renamed', async () => {
    const interactions = (await loadFixtureFile(fixturePath, basename(fixturePath))).filter((interaction) => interaction.request.path !== null);
    const dir = tempDir('mockdrift-spec-format-');
    dirs.push(dir);
    mkdirSync(join(dir.path, 'mocks'));
    copyFileSync(fixturePath, join(dir.path, 'mocks', basename(fixturePath)));
    // WireMock body files sit beside the mappings folder.
    if (fixturePath.includes('/wiremock/mappings/')) cpSync(join(fixturePath, '..', '..', '__files'), join(dir.path, '__files'), { recursive: true });
    const check = async (spec: string): Promise<string[]> => {
      writeFileSync(join(dir.path, 'openapi.json'), spec);
      const report = await runCheck({ cwd: dir.path, db: 'none.db', config: {}, fixtures: [`mocks/${basename(fixturePath)}`], spec: 'openapi.json' });
      expect(report.findings.every((finding) => finding.source === 'spec')).toBe(true);
      return report.findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.severity} ${finding.kind} ${finding.path ?? ''}`.trim());
    };
    expect(await check(specFor(interactions))).toEqual([]);

    const target = interactions.find((interaction) => {
      const body = interaction.response.body;
      return interaction.request.method !== 'ANY' && isJson(interaction.response.contentType) && typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length > 0;
    });
    if (!target) return; // nothing but empty or non-JSON bodies: nothing to rename
    const key = Object.keys(target.response.body as object)[0]!;
    const drifted = await check(specFor(interactions, { interaction: target, key }));
    expect(drifted.some((line) => line.startsWith('breaking') && (line.endsWith(`$.${key}`) || line.endsWith(`$['${key}']`)))).toBe(true);
  });
});
