import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { JsonPointer } from '../model/fixture.js';
import type { FixtureDocument } from './fixture-document.js';
import { isObject } from './loader-support.js';

/** A top-level `openapi:` or `swagger:` key at the start of a line: what tells a YAML spec apart. */
const YAML_SPEC_KEY = /^(?:openapi|swagger|["'](?:openapi|swagger)["'])\s*:/m;

/** A place in a text, 1-based. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/**
 * An OpenAPI document, JSON or YAML, read through the fixtures' document model (its values and
 * the line of each). Input errors about the document's structure also name a column: those come
 * from the `yaml` package's node ranges (JSON is YAML), read only when such an error is raised.
 */
export class OpenApiDocument {
  readonly document: FixtureDocument;
  #positions: { document: Document; lineCounter: LineCounter } | null = null;

  constructor(document: FixtureDocument) {
    this.document = document;
  }

  get file(): string {
    return this.document.file;
  }

  get value(): unknown {
    return this.document.value;
  }

  /** Whether a text looks like a YAML OpenAPI document (a top-level `openapi:` or `swagger:` key, not JSON). */
  static looksLikeYamlSpec(text: string): boolean {
    return !/^\s*[[{]/.test(text) && YAML_SPEC_KEY.test(text);
  }

  /** Whether a parsed value is an OpenAPI 3.x or Swagger 2.0 document. */
  static isSpec(value: unknown): boolean {
    // `openapi: 3.1` and `swagger: 2.0` unquoted are numbers in YAML.
    return isObject(value) && (typeof value['openapi'] === 'string' || typeof value['openapi'] === 'number' || value['swagger'] === '2.0' || value['swagger'] === 2);
  }

  /** The 1-based line of the value at `pointer` (its key's, for an object member), or of its nearest ancestor. */
  lineOf(pointer: JsonPointer): number {
    return this.document.nearestLineOf(pointer);
  }

  /** Line and column of the value at `pointer` (or its nearest ancestor), for input errors. */
  positionOf(pointer: JsonPointer): TextPosition {
    const line = this.lineOf(pointer);
    try {
      if (!this.#positions) {
        const lineCounter = new LineCounter();
        this.#positions = { document: parseDocument(this.document.text, { lineCounter, uniqueKeys: false }), lineCounter };
      }
      const at = this.#positions.lineCounter.linePos(offsetOf(this.#positions.document, pointer));
      return at.line === line ? { line, column: at.col } : { line, column: 1 };
    } catch {
      return { line, column: 1 };
    }
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
