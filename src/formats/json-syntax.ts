import { createScanner, parse as parseJsonc, printParseErrorCode, stripComments, type ParseError } from 'jsonc-parser';

/** A step into a parsed value: an object key or an array index. */
export type PointerStep = string | number;

/**
 * Where a value sits in a JSON text: `start` inclusive, `end` exclusive. Object members are kept
 * in order (for edits) and by key (for look-ups; with duplicate keys the last one wins, as in
 * JSON.parse).
 */
export interface JsonNode {
  readonly start: number;
  end: number;
  readonly kind: 'object' | 'array' | 'scalar';
  readonly members: JsonMember[];
  readonly byKey: Map<string, JsonMember>;
  readonly items: JsonNode[];
}

export interface JsonMember {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly value: JsonNode;
}

/** jsonc-parser's token kinds (a `const enum` there, which isolated modules cannot read). */
const TOKEN = {
  openBrace: 1,
  closeBrace: 2,
  openBracket: 3,
  closeBracket: 4,
  comma: 5,
  colon: 6,
  string: 10,
  blockComment: 13,
  eof: 17,
} as const;

/** jsonc-parser's `ScanError.UnexpectedEndOfComment`. */
const SCAN_ERROR_END_OF_COMMENT = 1;

/**
 * Parses JSON as WireMock reads it: comments (`//`, `/* *\/`) allowed, nothing else beyond the
 * standard. Values come from JSON.parse (exactly its semantics: duplicate keys, `1e400`, `-0`),
 * on the text with its comments blanked out, so offsets stay those of the file.
 * @returns the value, or the offset and reason of the first error
 */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; offset: number | undefined; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    if (text.includes('/')) {
      try {
        const value = JSON.parse(stripComments(text, ' ')) as unknown;
        const unterminated = unterminatedComment(text);
        if (unterminated === undefined) return { ok: true, value };
        return { ok: false, offset: unterminated, reason: 'a /* comment is never closed' };
      } catch {
        // Not comments alone: reported from the original text below.
      }
    }
    return { ok: false, ...jsonErrorAt(text, error) };
  }
}

/** Where a block comment that never closes starts; undefined when there is none. */
export function unterminatedComment(text: string): number | undefined {
  const scanner = createScanner(text, false);
  for (let token = scanner.scan(); token !== TOKEN.eof; token = scanner.scan()) {
    if (token === TOKEN.blockComment && scanner.getTokenError() === SCAN_ERROR_END_OF_COMMENT) return scanner.getTokenOffset();
  }
  return undefined;
}

/** The first error jsonc-parser finds (comments allowed, trailing commas not). */
function jsonErrorAt(text: string, error: unknown): { offset: number | undefined; reason: string } {
  const reason = error instanceof Error ? error.message : String(error);
  try {
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: false, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (first) return { offset: first.offset, reason: `${printParseErrorCode(first.error)}; ${reason}` };
  } catch {
    // jsonc-parser's parser recurses: a text nested deeper than the stack is located from V8's message.
  }
  const position = /position (\d+)/.exec(reason);
  return { offset: position ? Number(position[1]) : undefined, reason };
}

/**
 * The span of every value and key of a valid JSON text (comments allowed), from jsonc-parser's
 * scanner. Iterative: nesting depth costs heap, not stack (its tree parser recurses, and
 * fixtures may nest 100,000 deep).
 */
export function jsonSpans(text: string): JsonNode {
  const scanner = createScanner(text, true);
  const stack: Array<{ node: JsonNode; pendingKey?: { key: string; keyStart: number; keyEnd: number } }> = [];
  let root: JsonNode | undefined;
  const newNode = (kind: JsonNode['kind'], start: number): JsonNode => ({ start, end: start, kind, members: [], byKey: new Map(), items: [] });
  const attach = (node: JsonNode): void => {
    const top = stack[stack.length - 1];
    if (!top) root ??= node;
    else if (top.node.kind === 'array') top.node.items.push(node);
    else if (top.pendingKey) {
      const member = { ...top.pendingKey, value: node };
      top.node.members.push(member);
      top.node.byKey.set(member.key, member);
      top.pendingKey = undefined;
    }
  };

  for (let token = scanner.scan(); token !== TOKEN.eof; token = scanner.scan()) {
    const start = scanner.getTokenOffset();
    const end = start + scanner.getTokenLength();
    if (token === TOKEN.comma || token === TOKEN.colon) continue;
    if (token === TOKEN.closeBrace || token === TOKEN.closeBracket) {
      const closed = stack.pop();
      if (closed) closed.node.end = end;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top && top.node.kind === 'object' && !top.pendingKey) {
      top.pendingKey = { key: token === TOKEN.string ? scanner.getTokenValue() : text.slice(start, end), keyStart: start, keyEnd: end };
      continue;
    }
    if (token === TOKEN.openBrace || token === TOKEN.openBracket) {
      const node = newNode(token === TOKEN.openBrace ? 'object' : 'array', start);
      attach(node);
      stack.push({ node });
      continue;
    }
    const node = newNode('scalar', start);
    node.end = end;
    attach(node);
  }
  return root ?? newNode('scalar', 0);
}

/** The node at `pointer`, if the text has one. */
export function jsonNodeAt(root: JsonNode, pointer: readonly PointerStep[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const step of pointer) {
    if (!node) return undefined;
    if (node.kind === 'array') node = typeof step === 'number' || /^\d+$/.test(step) ? node.items[Number(step)] : undefined;
    else if (node.kind === 'object') node = node.byKey.get(String(step))?.value;
    else return undefined;
  }
  return node;
}

/** The member `pointer` ends at (its last step is the key), with its object and place there. */
export function jsonMemberAt(root: JsonNode, pointer: readonly PointerStep[]): { parent: JsonNode; index: number; member: JsonMember } | undefined {
  if (pointer.length === 0) return undefined;
  const parent = jsonNodeAt(root, pointer.slice(0, -1));
  if (!parent || parent.kind !== 'object') return undefined;
  const member = parent.byKey.get(String(pointer[pointer.length - 1]));
  if (!member) return undefined;
  return { parent, index: parent.members.lastIndexOf(member), member };
}
