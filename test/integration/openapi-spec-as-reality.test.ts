import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCheck } from '../../src/check.js';
import { loadFixtureFile } from '../../src/formats/load-fixtures.js';
import type { Finding } from '../../src/model/finding.js';
import { FORMATS, recordInto, writeFixture, type FixtureSpec } from '../corpus/harness.js';
import { sampleOf } from '../support/schema-samples.js';
import { tempDir } from '../support/temp-dir.js';

const SPECS = resolve('../shared/real-fixtures/openapi');
const PETSTORE = 'OAI__OpenAPI-Specification___archive___schemas__v3.0__pass__petstore-expanded.yaml';

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** Writes the spec and the mocks in `format` into a fresh directory; checks them against the spec. */
async function checkMocks(specFile: string, format: (typeof FORMATS)[number], mocks: readonly FixtureSpec[], recordings = false): Promise<Finding[]> {
  const dir = tempDir('mockdrift-spec-reality-');
  dirs.push(dir);
  copyFileSync(join(SPECS, specFile), join(dir.path, specFile));
  for (const mock of mocks) writeFixture(dir.path, format, mock);
  if (recordings) {
    await recordInto(join(dir.path, 'recordings.db'), mocks.map((mock) => ({ method: mock.method, path: mock.path, status: mock.status, body: mock.body })));
  }
  const report = await runCheck({ cwd: dir.path, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], spec: specFile });
  return [...report.findings];
}

const petstore = parse(readFileSync(join(SPECS, PETSTORE), 'utf8')) as { components: { schemas: Record<string, unknown> } };
const pet = (): Record<string, unknown> => sampleOf({ $ref: '#/components/schemas/Pet' }, petstore) as Record<string, unknown>;
const mock = (name: string, body: unknown, overrides: Partial<FixtureSpec> = {}): FixtureSpec => ({ name, method: 'GET', path: '/v2/pets/42', status: 200, body, ...overrides });
const serious = (findings: readonly Finding[]): string[] =>
  findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.severity} ${finding.kind} ${finding.path ?? ''}`.trim());

describe.each(FORMATS)('mocks written as %s, checked against an OpenAPI document with no recordings', (format) => {
  it('stay clean when they fit the spec', async () => {
    const findings = await checkMocks(PETSTORE, format, [
      mock('a pet', pet()),
      mock('a pet without its optional tag', { id: 1, name: 'Rex' }, { path: '/pets/7' }),
      mock('the pets', [pet(), pet()], { path: '/v2/pets' }),
    ]);
    expect(findings).toEqual([]);
  });

  it('are found when drifted: a field renamed, one dropped, one retyped, one the spec lacks, a status it does not list', async () => {
    const findings = await checkMocks(PETSTORE, format, [
      mock('renamed', { id: 1, petName: 'Rex', tag: 'dog' }),
      mock('dropped', { name: 'Rex' }),
      mock('retyped', { id: '1', name: 'Rex' }),
      mock('extra', { id: 1, name: 'Rex', colour: 'red' }),
      mock('status', { message: 'gone' }, { method: 'DELETE', status: 410 }),
    ]);
    // Each mock is its own file, named after it.
    const by = (name: string): string[] => serious(findings.filter((finding) => finding.fixture.includes(`/${name}.`)));
    expect(findings.every((finding) => finding.source === 'spec')).toBe(true);
    expect(by('renamed')).toEqual(['breaking field-renamed $.petName']);
    expect(findings.find((finding) => finding.kind === 'field-renamed')!.to).toBe('$.name');
    expect(by('dropped')).toEqual(['breaking field-missing $.id']);
    expect(by('retyped')).toEqual(['breaking type-changed $.id']);
    expect(by('extra')).toEqual(['breaking field-added $.colour']);
    // DELETE /pets/{id} lists 204 and default: 410 falls under default, so it is no drift.
    expect(by('status')).toEqual([]);
  });
});

describe('check --spec', () => {
  it('reports a status the operation does not list', async () => {
    const findings = await checkMocks('OAI__OpenAPI-Specification___archive___schemas__v3.0__pass__uspto.yaml', 'native', [
      { name: 'fields', method: 'GET', path: '/ds-api/oa_citations/v1/fields', status: 500, body: { error: 'x' } },
    ]);
    expect(serious(findings)).toEqual(['breaking status-changed']);
    expect(findings[0]).toMatchObject({ expected: '200, 404', actual: 500, source: 'spec' });
  });

  it('reports a value outside the enum and a string in the wrong format', async () => {
    const findings = await checkMocks('tfranzel__drf-spectacular__tests__test_basic.yml', 'native', [
      { name: 'album', method: 'GET', path: '/albums/1', status: 200, body: { id: 1, title: 'x', genre: 'polka', year: 1999, released: true, songs: [] } },
    ]);
    expect(serious(findings)).toContain('breaking value-changed $.genre');
  });

  it('compares the recordings too when there are some, each finding naming its source', async () => {
    const findings = await checkMocks(PETSTORE, 'native', [mock('extra', { id: 1, name: 'Rex', colour: 'red' })], true);
    expect(findings.map((finding) => `${finding.source} ${finding.kind} ${finding.path ?? ''}`.trim()).sort()).toEqual(['spec field-added $.colour']);
    const both = await checkMocks(PETSTORE, 'native', [mock('unrecorded', { id: 1, name: 'Rex' }, { path: '/v2/pets/9/photos' })], true);
    expect(both.map((finding) => `${finding.source} ${finding.kind}`).sort()).toEqual(['spec unverified']);
  });

  it('refuses a --spec that is missing or not an OpenAPI document', async () => {
    const dir = tempDir('mockdrift-spec-reality-');
    dirs.push(dir);
    writeFixture(dir.path, 'native', mock('a pet', pet()));
    await expect(runCheck({ cwd: dir.path, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], spec: 'nope.yaml' })).rejects.toMatchObject({ code: 'USAGE' });
    const fixture = readdirSync(join(dir.path, 'fixtures'))[0]!;
    await expect(runCheck({ cwd: dir.path, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], spec: `fixtures/${fixture}` })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it.each(readdirSync(SPECS).filter((file) => /\.(ya?ml|json)$/.test(file)))('finds nothing serious in mocks generated to fit %s', async (specFile) => {
    const root = parse(readFileSync(join(SPECS, specFile), 'utf8')) as unknown;
    const interactions = await loadFixtureFile(join(SPECS, specFile), specFile);
    const mocks: FixtureSpec[] = interactions
      .filter((interaction) => interaction.response.schema && interaction.response.contentType === 'application/json')
      .map((interaction, index) => ({
        name: `mock ${index}`,
        method: interaction.request.method,
        path: interaction.request.path!.replace(/:[^/]+/g, 'x42'),
        status: interaction.response.status,
        body: sampleOf(interaction.response.schema!.root.value, root),
      }));
    const findings = await checkMocks(specFile, 'native', mocks);
    expect(serious(findings)).toEqual([]);
    expect(findings.filter((finding) => finding.kind === 'unverified')).toEqual([]);
  });
});
