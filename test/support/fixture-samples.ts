import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FixtureLoader, FixtureSource } from '../../src/formats/fixture-loader.js';
import { FixtureDocument } from '../../src/formats/fixture-document.js';
import { MockdriftError } from '../../src/model/errors.js';
import type { FixtureInteraction } from '../../src/model/fixture.js';

/** Where the sample files of every fixture format live, relative to the repository root. */
export const FORMATS = 'test/fixtures/formats';

/**
 * A fixture file as a loader receives it.
 * @param file - The path as reports show it (relative to the working directory).
 * @param text - The file's content; read from `file` when not given.
 * @param absolutePath - Where the file is taken to be, for files it refers to (WireMock
 *   `bodyFileName`); `file` resolved against the working directory when not given.
 */
export function sourceOf(file: string, text = readFileSync(file, 'utf8'), absolutePath = resolve(file)): FixtureSource {
  return { file, absolutePath, document: FixtureDocument.parse(file, text) };
}

/**
 * A fixture written inline by a test, pretty-printed with two spaces so that its line numbers
 * are predictable. Nothing is written to disk: `file` only names it.
 */
export function inlineSource(file: string, document: unknown): FixtureSource {
  return sourceOf(file, JSON.stringify(document, null, 2));
}

/**
 * Loads a sample file with `loader`, returning the text too, for tests that look up lines.
 */
export function loadSample(loader: FixtureLoader, file: string): { interactions: FixtureInteraction[]; text: string } {
  const text = readFileSync(file, 'utf8');
  return { interactions: loader.load(sourceOf(file, text)), text };
}

/**
 * The 1-based number of the first line at or after line `from` that contains `needle`.
 * @throws Error when no such line exists.
 */
export function lineContaining(text: string, needle: string, from = 1): number {
  const index = text.split('\n').findIndex((line, i) => i + 1 >= from && line.includes(needle));
  if (index < 0) throw new Error(`no line at or after line ${from} contains ${needle}`);
  return index + 1;
}

/**
 * The sample files directly in `test/fixtures/formats/<format>` (the malformed ones in its
 * `invalid/` subdirectory too, when asked), as paths relative to the repository root.
 * @param format - A format's directory, or one below it (`har/invalid`, `wiremock/mappings`).
 */
export function samples(format: string, withInvalid = false): string[] {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `${dir}/${entry.name}`);
  const dir = `${FORMATS}/${format}`;
  return withInvalid ? [...files(dir), ...files(`${dir}/invalid`)] : files(dir);
}

/** The parsed content of a fixture file (JSON or YAML), as `detect` receives it. */
export function readJson(file: string): unknown {
  return FixtureDocument.parse(file, readFileSync(file, 'utf8')).value;
}

/**
 * The MockdriftError that `action` throws.
 * @throws Error when `action` returns normally; rethrows any other error.
 */
export function errorOf(action: () => unknown): MockdriftError {
  try {
    action();
  } catch (error) {
    if (error instanceof MockdriftError) return error;
    throw error;
  }
  throw new Error('expected a MockdriftError');
}

/**
 * The item at `index`, for tests that would otherwise write `?.` on every use.
 * @throws Error when there is no such item.
 */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

/** A JSON value found in the real fixture files, with its text when it was written as JSON text. */
export interface RealJsonBody {
  readonly value: unknown;
  /** The JSON text as the fixture holds it (a body kept as a string); undefined for a value held as JSON. */
  readonly text: string | undefined;
}

/**
 * Every JSON object and array in the strict-JSON files of `../shared/real-fixtures/files`, at any
 * depth, and every string there that holds JSON text: response bodies are kept both ways.
 */
export function realJsonBodies(): RealJsonBody[] {
  const root = resolve('../shared/real-fixtures/files');
  const bodies: RealJsonBody[] = [];
  const collect = (value: unknown, depth: number): void => {
    if (depth > 40) return;
    if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
      try {
        bodies.push({ value: JSON.parse(value), text: value });
      } catch {
        // not JSON
      }
    } else if (typeof value === 'object' && value !== null) {
      bodies.push({ value, text: undefined });
      for (const child of Object.values(value)) collect(child, depth + 1);
    }
  };
  for (const file of readdirSync(root, { recursive: true }) as string[]) {
    if (!file.endsWith('.json')) continue;
    try {
      collect(JSON.parse(readFileSync(resolve(root, file), 'utf8')), 0);
    } catch {
      // a file that is not strict JSON is read by its own loader's tests
    }
  }
  return bodies;
}
