import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCheck } from '../../src/check.js';
import { loadFixtureFile } from '../../src/formats/load-fixtures.js';
import type { Finding } from '../../src/model/finding.js';
import type { FixtureInteraction } from '../../src/model/fixture.js';
import { recordInto, type RecordingSpec } from '../corpus/harness.js';
import { sampleOf } from '../support/schema-samples.js';
import { tempDir } from '../support/temp-dir.js';

const SPECS = resolve('../shared/real-fixtures/openapi');
const specFiles = readdirSync(SPECS).filter((file) => /\.(ya?ml|json)$/.test(file));

/** A concrete path of a route: every parameter segment filled in. */
function concrete(route: string): string {
  return route.replace(/:[^/]+/g, 'x42');
}

function schemaValue(interaction: FixtureInteraction): unknown {
  return interaction.response.schema!.root.value;
}

function recordingOf(interaction: FixtureInteraction, body: unknown): RecordingSpec {
  return {
    method: interaction.request.method,
    path: concrete(interaction.request.path!),
    status: interaction.response.status,
    body,
    contentType: interaction.response.contentType ?? 'application/json',
  };
}

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

async function checkSpec(file: string, recordings: readonly RecordingSpec[]): Promise<Finding[]> {
  const dir = tempDir('mockdrift-openapi-');
  dirs.push(dir);
  copyFileSync(join(SPECS, file), join(dir.path, file));
  await recordInto(join(dir.path, 'recordings.db'), recordings);
  const report = await runCheck({ cwd: dir.path, db: 'recordings.db', config: {}, fixtures: [file] });
  return [...report.findings];
}

/** The first response whose generated body has a required property at its top (or in its items). */
function plantTarget(interactions: readonly FixtureInteraction[], root: unknown): { interaction: FixtureInteraction; body: unknown; holders: Array<Record<string, unknown>>; key: string; path: string } | undefined {
  for (const interaction of interactions) {
    if (!interaction.response.schema || interaction.response.status >= 300) continue;
    const required = sampleOf(schemaValue(interaction), root, { requiredOnly: true });
    const body = sampleOf(schemaValue(interaction), root);
    const top = Array.isArray(required) ? required[0] : required;
    const holder = Array.isArray(body) ? body[0] : body;
    if (typeof top !== 'object' || top === null || Array.isArray(top) || typeof holder !== 'object' || holder === null) continue;
    const key = Object.keys(top)[0];
    if (key === undefined) continue;
    const holders = (Array.isArray(body) ? body : [body]) as Array<Record<string, unknown>>;
    return { interaction, body, holders, key, path: Array.isArray(body) ? `$[*].${key}` : `$.${key}` };
  }
  return undefined;
}

describe.each(specFiles)('the real OpenAPI document %s', (file) => {
  const text = readFileSync(join(SPECS, file), 'utf8');
  const root = parse(text) as unknown;

  it('is read into one interaction per operation and listed status', async () => {
    const interactions = await loadFixtureFile(join(SPECS, file), file);
    expect(interactions.length).toBeGreaterThan(0);
    expect(interactions.every((interaction) => interaction.format === 'openapi' && interaction.request.path?.startsWith('/'))).toBe(true);
    expect(interactions.some((interaction) => interaction.response.schema)).toBe(true);
  });

  it('finds nothing breaking or warning in responses generated to fit it', async () => {
    const interactions = await loadFixtureFile(join(SPECS, file), file);
    const recordings: RecordingSpec[] = [];
    for (const interaction of interactions) {
      if (!interaction.response.schema) continue;
      recordings.push(recordingOf(interaction, sampleOf(schemaValue(interaction), root)));
      recordings.push(recordingOf(interaction, sampleOf(schemaValue(interaction), root, { requiredOnly: true })));
    }
    const findings = await checkSpec(file, recordings);
    expect(findings.filter((finding) => finding.severity !== 'info').map((f) => `${f.route} ${f.status} ${f.kind} ${f.path ?? ''}: ${f.message}`)).toEqual([]);
    // Every response with a schema was compared with its recordings.
    expect(findings.filter((finding) => finding.kind === 'unverified' && interactions.find((i) => i.name === finding.interaction)?.response.schema)).toEqual([]);
  });

  for (const drift of ['renamed', 'dropped', 'retyped'] as const) {
    it(`finds a required property ${drift} in reality at its path`, async () => {
      const interactions = await loadFixtureFile(join(SPECS, file), file);
      const target = plantTarget(interactions, root);
      if (!target) return; // a document whose responses require nothing (USPTO) has nothing to plant
      for (const holder of target.holders) {
        const value = holder[target.key];
        delete holder[target.key];
        if (drift === 'renamed') holder[`${target.key}Renamed`] = value;
        if (drift === 'retyped') holder[target.key] = typeof value === 'number' ? 'text' : 42;
      }
      const findings = await checkSpec(file, [recordingOf(target.interaction, target.body)]);
      const mine = findings.filter((finding) => finding.interaction === target.interaction.name && finding.path === target.path);
      const kinds = mine.map((finding) => finding.kind);
      if (drift === 'retyped') expect(kinds).toContain('type-changed');
      else expect(kinds.some((kind) => kind === 'field-missing' || kind === 'field-renamed')).toBe(true);
      expect(mine.every((finding) => finding.severity === 'breaking')).toBe(true);
      // The finding points at the property's line in the spec.
      expect(mine[0]!.line).toBeGreaterThan(1);
      expect(text.split('\n')[mine[0]!.line - 1]).toContain(target.key);
    });
  }
});
