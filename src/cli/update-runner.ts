import { lstatSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { checkFixtures } from '../compare/check-fixtures.js';
import { matchRecordings, RecordingIndex } from '../compare/match-recordings.js';
import { JsonTextEditor } from '../formats/json-text-editor.js';
import { describeError, MockdriftError } from '../model/errors.js';
import type { FixtureInteraction } from '../model/fixture.js';
import { planFixtureEdits, UPDATABLE_FORMATS, type FixtureEdit, type Skipped } from '../update/plan-fixture-edits.js';
import { prepareCheck, type CheckRun } from './check-runner.js';

/** What `update` did to one fixture file. */
export interface FileUpdate {
  readonly file: string;
  /** Unified diff of the change. */
  readonly diff: string;
  readonly changes: number;
}

export interface UpdateResult {
  readonly files: FileUpdate[];
  /** Breaking findings `update` did not fix, and why. */
  readonly skipped: Skipped[];
}

/** How many recorded bodies are read per group for new values. */
const SAMPLES = 5;

/**
 * The whole of `update`: compare, plan the edits for each drifted fixture, apply them to the
 * file's text (keeping its layout) and, unless `dryRun`, write the file back. Writes only files
 * it read, and only inside the working directory.
 */
export async function runUpdate(run: CheckRun & { readonly dryRun: boolean }): Promise<UpdateResult> {
  const prepared = await prepareCheck(run);
  try {
    const byFile = new Map<string, FixtureInteraction[]>();
    for (const interaction of prepared.interactions) {
      const list = byFile.get(interaction.file) ?? [];
      list.push(interaction);
      byFile.set(interaction.file, list);
    }
    const files: FileUpdate[] = [];
    const skipped: Skipped[] = [];
    for (const [file, interactions] of byFile) {
      const path = isAbsolute(file) ? file : resolve(run.cwd, file);
      const original = readFileSync(path, 'utf8');
      const fileValue = JSON.parse(original.replace(/^\uFEFF/, '')) as unknown;
      const edits: FixtureEdit[] = [];
      for (const interaction of interactions) {
        const findings = checkFixtures([interaction], prepared.recordings, prepared.options).findings;
        const drifted = findings.filter((finding) => finding.severity !== 'info');
        if (drifted.length === 0) continue;
        if (!UPDATABLE_FORMATS.has(interaction.format)) {
          skipped.push(...drifted.filter((f) => f.severity === 'breaking').map((finding) => ({ finding, reason: `update rewrites native, Pact and WireMock fixtures, not ${interaction.format}` })));
          continue;
        }
        const plan = planFixtureEdits(interaction, drifted, fileValue, samplesFor(interaction, prepared));
        // A loop, not push(...): one edit per item of a fixture array, which may be huge.
        for (const edit of plan.edits) edits.push(edit);
        skipped.push(...plan.skipped.filter((entry) => entry.finding.severity === 'breaking'));
      }
      if (edits.length === 0) continue;
      const updated = applyEdits(original, edits);
      if (updated === original) continue;
      files.push({ file, changes: edits.length, diff: createTwoFilesPatch(`a/${file}`, `b/${file}`, original, updated, '', '') });
      if (!run.dryRun) writeFixture(path, run.cwd, updated);
    }
    return { files, skipped };
  } finally {
    prepared.close();
  }
}

function samplesFor(interaction: FixtureInteraction, prepared: Awaited<ReturnType<typeof prepareCheck>>): unknown[] {
  const match = matchRecordings(interaction, new RecordingIndex(prepared.recordings.groups, prepared.options.templates ?? []));
  if (match.kind !== 'matched') return [];
  return match.groups.flatMap((group) =>
    prepared.recordings.samples({ service: group.service, method: group.method, route: group.route, status: group.status, queryNames: group.queryNames }).slice(0, SAMPLES),
  );
}

/** Applies edits one at a time: each re-reads the text, so pointers stay right. */
function applyEdits(text: string, edits: readonly FixtureEdit[]): string {
  const editor = new JsonTextEditor(text);
  for (const edit of edits) {
    if (edit.op === 'replace') editor.replaceValue(edit.pointer, edit.value);
    else if (edit.op === 'remove') editor.removeMember(edit.pointer);
    else editor.renameKey(edit.pointer, edit.key);
  }
  return editor.text;
}

/**
 * Writes a fixture back, in place. A fixture reached through a symbolic link, or one that
 * resolves outside the working directory, is not written: `update` changes the project's own
 * fixtures and nothing else.
 */
function writeFixture(path: string, cwd: string, text: string): void {
  const root = realpathSync(cwd);
  const real = realpathSync(path);
  const outside = relative(root, real).startsWith('..') || isAbsolute(relative(root, real));
  if (lstatSync(path).isSymbolicLink() || outside) {
    throw new MockdriftError('USAGE', `Refusing to write ${path}: it resolves to ${real}, outside ${root} or through a link. Update it by hand.`);
  }
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new MockdriftError('USAGE', `Cannot write the fixture ${path}: ${describeError(error)}`, { cause: error });
  }
}
