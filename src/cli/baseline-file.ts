import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { applyBaseline, DEFAULT_BASELINE_FILE, parseBaseline, writeBaseline } from '../compare/baseline.js';
import type { BaselineEntry } from '../model/baseline.js';
import { describeError, MockdriftError } from '../model/errors.js';
import type { Report } from '../model/finding.js';

/** The baseline flags of `check`: a file name, or '' for the default file. */
export interface BaselineFlags {
  /** `--baseline [FILE]` (or config `baseline`): report accepted drift apart, fail only on new. */
  readonly baseline?: string;
  /** `--write-baseline [FILE]`: accept the current breaking and warning findings. */
  readonly writeBaseline?: string;
}

/**
 * Writes and applies a baseline as the flags ask. With `--write-baseline`, the file is written
 * first (keeping the reasons and expiries of the entries it had, dropping fixed ones) and the
 * report is then judged against it.
 * @returns the report under the baseline, and the file written if any.
 * @throws MockdriftError `BASELINE_INVALID` for a missing or malformed baseline, `USAGE` when it cannot be written.
 */
export function applyBaselineFlags(report: Report, flags: BaselineFlags, cwd: string): { report: Report; written?: { file: string; entries: number } } {
  const writeFile = flags.writeBaseline === undefined ? undefined : flags.writeBaseline || DEFAULT_BASELINE_FILE;
  if (writeFile !== undefined) {
    const previous = readBaselineFile(cwd, writeFile, false) ?? [];
    const text = writeBaseline(report, previous);
    const path = resolve(cwd, writeFile);
    try {
      // Whole or not at all: a half-written baseline would un-accept everything.
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
    } catch (error) {
      throw new MockdriftError('USAGE', `Cannot write the baseline ${writeFile}: ${describeError(error)}. Check the path and its permissions.`, { cause: error });
    }
    const entries = parseBaseline(text, writeFile);
    return { report: applyBaseline(report, entries, writeFile), written: { file: writeFile, entries: entries.length } };
  }
  if (flags.baseline === undefined) return { report };
  const file = flags.baseline || DEFAULT_BASELINE_FILE;
  return { report: applyBaseline(report, readBaselineFile(cwd, file, true)!, file) };
}

/** The entries of a baseline file; undefined when it does not exist and need not. */
function readBaselineFile(cwd: string, file: string, required: boolean): BaselineEntry[] | undefined {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MockdriftError(
      'BASELINE_INVALID',
      `Cannot read the baseline ${file}: ${describeError(error)}. Write one with mockdrift check --write-baseline ${file}.`,
      { cause: error },
    );
  }
  return parseBaseline(text, file);
}
