import { accessSync, constants, lstatSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { checkFixtures } from '../compare/check-fixtures.js';
import { matchRecordings, RecordingIndex } from '../compare/match-recordings.js';
import { FixtureDocument, syntaxOfFile } from '../formats/fixture-document.js';
import { describeError, MockdriftError } from '../model/errors.js';
import type { FixtureInteraction } from '../model/fixture.js';
import { applyFixtureEdits } from './apply-fixture-edits.js';
import { planFixtureEdits, UPDATABLE_FORMATS, type FixtureEdit, type Skipped } from './plan-fixture-edits.js';
import { prepareCheck, resolveCheckRun, type CheckApiOptions, type CheckRun } from '../check.js';

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

/** The options of {@link update}: the flags of `mockdrift update`, in camelCase, with the same defaults. */
export interface UpdateApiOptions extends Pick<CheckApiOptions, 'cwd' | 'config' | 'db' | 'fixtures' | 'service'> {
  /** Compute the diff, write nothing. Default: false. */
  readonly dryRun?: boolean;
}

/**
 * Rewrites drifted fixtures to match the recordings, as `mockdrift update` does, and returns each
 * file's diff. Every edit is planned first: when any file may not be written (a link, outside
 * `cwd`, read-only), nothing is written and the error names every such file.
 * @throws MockdriftError `USAGE` naming the refused files; the errors of {@link check}.
 */
export async function update(options: UpdateApiOptions = {}): Promise<UpdateResult> {
  const run = resolveCheckRun({ cwd: options.cwd, config: options.config, db: options.db, fixtures: options.fixtures, service: options.service } as CheckApiOptions);
  return runUpdate({ cwd: run.cwd, db: run.db, config: run.config, fixtures: run.fixtures, ...(run.service !== undefined ? { service: run.service } : {}), dryRun: options.dryRun ?? false });
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
    const planned: PlannedWrite[] = [];
    for (const [file, interactions] of byFile) {
      if (interactions.some((interaction) => interaction.format === 'openapi')) {
        // A spec is the provider's document, often generated: it is never rewritten, only reported.
        skipped.push(...openApiLeftOut(interactions, prepared));
        continue;
      }
      const path = isAbsolute(file) ? file : resolve(run.cwd, file);
      const original = readFileSync(path, 'utf8');
      const fileValue = FixtureDocument.parse(file, original).value;
      const edits: FixtureEdit[] = [];
      for (const interaction of interactions) {
        const findings = checkFixtures([interaction], prepared.recordings, prepared.options).findings;
        const drifted = findings.filter((finding) => finding.severity !== 'info');
        if (drifted.length === 0) continue;
        if (!UPDATABLE_FORMATS.has(interaction.format)) {
          skipped.push(...drifted.filter((f) => f.severity === 'breaking').map((finding) => ({ finding, reason: `update does not rewrite ${interaction.format} fixtures` })));
          continue;
        }
        const plan = planFixtureEdits(interaction, drifted, fileValue, samplesFor(interaction, prepared));
        // A loop, not push(...): one edit per item of a fixture array, which may be huge.
        for (const edit of plan.edits) edits.push(edit);
        skipped.push(...plan.skipped.filter((entry) => entry.finding.severity === 'breaking'));
      }
      if (edits.length === 0) continue;
      const bom = original.startsWith('\uFEFF') ? '\uFEFF' : '';
      const updated = bom + applyFixtureEdits(original.slice(bom.length), syntaxOfFile(file), edits);
      if (updated === original) continue;
      files.push({ file, changes: edits.length, diff: createTwoFilesPatch(`a/${file}`, `b/${file}`, original, updated, '', '') });
      planned.push({ path, original, updated });
    }
    if (!run.dryRun) writeAll(planned, run.cwd);
    return { files, skipped };
  } finally {
    prepared.close();
  }
}

function openApiLeftOut(interactions: readonly FixtureInteraction[], prepared: Awaited<ReturnType<typeof prepareCheck>>): Skipped[] {
  return checkFixtures(interactions, prepared.recordings, prepared.options)
    .findings.filter((finding) => finding.severity !== 'info')
    .map((finding) => ({ finding, reason: 'update does not rewrite OpenAPI documents: change the spec by hand at the line shown (or regenerate it)' }));
}

function samplesFor(interaction: FixtureInteraction, prepared: Awaited<ReturnType<typeof prepareCheck>>): unknown[] {
  const match = matchRecordings(interaction, new RecordingIndex(prepared.recordings.groups, prepared.options.templates ?? []));
  if (match.kind !== 'matched') return [];
  return match.groups.flatMap((group) =>
    prepared.recordings.samples({ service: group.service, method: group.method, route: group.route, status: group.status, queryNames: group.queryNames }).slice(0, SAMPLES),
  );
}

interface PlannedWrite {
  readonly path: string;
  readonly original: string;
  readonly updated: string;
}

/**
 * Writes every planned fixture, or none: each is checked first, and a write that still fails puts
 * back the files already written, so that `update` never leaves a half-updated set of fixtures.
 */
function writeAll(planned: readonly PlannedWrite[], cwd: string): void {
  const refusals = planned.flatMap(({ path }) => {
    const reason = refusal(path, cwd);
    return reason === null ? [] : [`Refusing to write ${path}: ${reason}`];
  });
  if (refusals.length > 0) {
    throw new MockdriftError(
      'USAGE',
      `update wrote nothing: ${refusals.length} of ${planned.length} fixture file(s) may not be written.\n  ${refusals.join('\n  ')}\n` +
        'Update those by hand (mockdrift update --dry-run prints the diff), or leave them out of --fixtures.',
    );
  }
  const written: PlannedWrite[] = [];
  for (const write of planned) {
    try {
      writeFixture(write.path, cwd, write.updated);
      written.push(write);
    } catch (error) {
      for (const done of written) writeFileSync(done.path, done.original);
      throw new MockdriftError('USAGE', `update wrote nothing: ${describeError(error)} (the ${written.length} file(s) already written were put back)`, { cause: error });
    }
  }
}

/** Why `update` may not write a fixture, or null when it may. */
function refusal(path: string, cwd: string): string | null {
  const root = realpathSync(cwd);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    return `cannot be resolved (${describeError(error)})`;
  }
  if (lstatSync(path).isSymbolicLink()) return `it is a symbolic link (to ${real})`;
  const outside = relative(root, real).startsWith('..') || isAbsolute(relative(root, real));
  if (outside) return `it resolves to ${real}, outside ${root}`;
  try {
    accessSync(real, constants.W_OK);
  } catch {
    return 'it is read-only';
  }
  return null;
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
