import { MockdriftError } from '../model/errors.js';
import { jsonNodeAt, jsonSpans, parseJsonText, type JsonNode, type PointerStep } from './json-syntax.js';
import { parseYamlText, yamlLineOf, type ParsedYaml } from './yaml-syntax.js';

export type { PointerStep } from './json-syntax.js';

/** The two texts fixtures are written in. */
export type DocumentSyntax = 'json' | 'yaml';

/** The syntax a file's name says: `.yml`/`.yaml` are YAML, everything else JSON. */
export function syntaxOfFile(file: string): DocumentSyntax {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

/**
 * A parsed fixture file that knows where each of its values is written, whichever syntax it is
 * in: every loader reads `value` and asks `lineOf` for the lines findings point at
 * (`spec/cassettes/charge.yml:41`); `DocumentEditor` changes the same text in place.
 *
 * JSON is read as WireMock reads it (comments allowed) with jsonc-parser's scanner for
 * positions; YAML with the `yaml` package (YAML 1.1 as Psych and PyYAML write it, no tag
 * constructs objects, aliases bounded).
 */
export class FixtureDocument {
  readonly file: string;
  /** The text parsed (a leading byte-order mark removed). */
  readonly text: string;
  readonly syntax: DocumentSyntax;
  readonly value: unknown;
  readonly #yaml: ParsedYaml | null;
  #spans: JsonNode | null = null;
  #lineStarts: number[] | null = null;

  private constructor(file: string, text: string, syntax: DocumentSyntax, value: unknown, yaml: ParsedYaml | null) {
    this.file = file;
    this.text = text;
    this.syntax = syntax;
    this.value = value;
    this.#yaml = yaml;
  }

  /**
   * Parses `text` as `syntax` (by default, the one the file name says).
   * @throws MockdriftError `FIXTURE_INVALID` naming `file:line:column` when the text does not parse
   */
  static parse(file: string, text: string, syntax: DocumentSyntax = syntaxOfFile(file)): FixtureDocument {
    const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (syntax === 'yaml') {
      const result = parseYamlText(clean);
      if (result.ok) return new FixtureDocument(file, result.parsed.text, 'yaml', result.parsed.value, result.parsed);
      throw invalid(file, clean, result.offset, `not valid YAML (${result.reason})`);
    }
    const result = parseJsonText(clean);
    if (result.ok) return new FixtureDocument(file, clean, 'json', result.value, null);
    throw invalid(file, clean, result.offset, `not valid JSON (${result.reason})`);
  }

  /** The 1-based line where the value at `pointer` starts (its key's, in YAML); undefined when there is none. */
  lineOf(pointer: readonly PointerStep[]): number | undefined {
    if (this.#yaml) return yamlLineOf(this.#yaml, pointer);
    this.#spans ??= jsonSpans(this.text);
    const node = jsonNodeAt(this.#spans, pointer);
    return node ? this.#lineAt(node.start) : undefined;
  }

  /** The line of the value at `pointer`, or of its nearest ancestor that exists. */
  nearestLineOf(pointer: readonly PointerStep[]): number {
    for (let length = pointer.length; length >= 0; length--) {
      const line = this.lineOf(pointer.slice(0, length));
      if (line !== undefined) return line;
    }
    return 1;
  }

  #lineAt(offset: number): number {
    this.#lineStarts ??= lineStarts(this.text);
    return lineIndex(this.#lineStarts, offset) + 1;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineIndex(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** `line:column` (1-based) of an offset in a text. */
export function lineColumnAt(text: string, offset: number): string {
  const starts = lineStarts(text);
  const index = lineIndex(starts, Math.min(Math.max(offset, 0), text.length));
  return `${index + 1}:${Math.min(Math.max(offset, 0), text.length) - starts[index]! + 1}`;
}

function invalid(file: string, text: string, offset: number | undefined, message: string): MockdriftError {
  const where = offset === undefined ? '' : `:${lineColumnAt(text, offset)}`;
  return new MockdriftError('FIXTURE_INVALID', `${file}${where}: ${message}`);
}
