import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { MockdriftError } from '../model/errors.js';
import type { JsonPointer } from '../model/fixture.js';
import { JsonDocument } from './json-document.js';
import { isObject } from './loader-support.js';

/** How many aliases a YAML document may expand: a billion-laughs document is refused, not expanded. */
const MAX_ALIASES = 100;

/** A top-level `openapi:` or `swagger:` key at the start of a line: what tells a YAML spec apart. */
const YAML_SPEC_KEY = /^(?:openapi|swagger|["'](?:openapi|swagger)["'])\s*:/m;

/** A place in a text, 1-based. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * An OpenAPI document, JSON or YAML, with the position of every value. JSON is read by
 * JSON.parse (through {@link JsonDocument}, exactly its semantics and its error positions), YAML
 * by the `yaml` package (YAML 1.2, duplicate keys refused, aliases bounded); positions come from
 * the `yaml` package's node ranges for both (JSON is YAML), built on the first question.
 */
export class OpenApiDocument {
  readonly file: string;
  readonly text: string;
  readonly value: unknown;
  #positions: { document: Document; lineCounter: LineCounter } | null;

  private constructor(file: string, text: string, value: unknown, positions: { document: Document; lineCounter: LineCounter } | null) {
    this.file = file;
    this.text = text;
    this.value = value;
    this.#positions = positions;
  }

  /** Whether a text that is not JSON looks like a YAML OpenAPI document (a top-level `openapi:` key). */
  static looksLikeYamlSpec(text: string): boolean {
    return !/^\s*[[{]/.test(text) && YAML_SPEC_KEY.test(text);
  }

  /** Whether a parsed value is an OpenAPI 3.x or Swagger 2.0 document. */
  static isSpec(value: unknown): boolean {
    return isObject(value) && (typeof value['openapi'] === 'string' || String(value['swagger']) === '2.0');
  }

  /** A JSON document already parsed. */
  static fromJson(document: JsonDocument): OpenApiDocument {
    return new OpenApiDocument(document.file, document.text, document.value, null);
  }

  /**
   * Parses a YAML text.
   * @throws MockdriftError `FIXTURE_INVALID` naming `file:line:column` when it is not valid YAML.
   */
  static parseYaml(file: string, text: string): OpenApiDocument {
    const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const lineCounter = new LineCounter();
    const document = parseDocument(clean, { lineCounter, uniqueKeys: true, prettyErrors: false });
    const error = document.errors[0];
    if (error) {
      const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      throw new MockdriftError('FIXTURE_INVALID', `${file}:${at.line}:${at.col}: not valid YAML (${firstLine(error.message)}). Fix the document, or leave it out of --fixtures.`, {
        cause: error,
      });
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (cause) {
      throw new MockdriftError('FIXTURE_INVALID', `${file}:1:1: the YAML cannot be read (${firstLine((cause as Error).message)}).`, { cause });
    }
    return new OpenApiDocument(file, clean, value, { document, lineCounter });
  }

  /** Where the value at `pointer` is written — its key, for an object member — or its nearest ancestor. */
  positionOf(pointer: JsonPointer): TextPosition {
    if (!this.#positions) {
      const lineCounter = new LineCounter();
      this.#positions = { document: parseDocument(this.text, { lineCounter, uniqueKeys: false }), lineCounter };
    }
    const { line, col } = this.#positions.lineCounter.linePos(offsetOf(this.#positions.document, pointer));
    return { line, column: col };
  }

  /** The 1-based line of the value at `pointer` (see {@link positionOf}). */
  lineOf(pointer: JsonPointer): number {
    return this.positionOf(pointer).line;
  }
}

/** Where the value at `pointer` is written: the offset of its key for an object member. */
function offsetOf(document: Document, pointer: JsonPointer): number {
  let node: unknown = document.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const step of pointer) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(step));
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}
