import { formatOf, type BodyShape, type ValueInspector } from '../model/shape.js';

/**
 * The cheap path for a JSON body that differs from the one its route answered last only in some
 * values: a new id and a new time in an otherwise identical page, as most API answers do.
 *
 * The two bodies are walked side by side. Stretches of identical bytes are skipped with native
 * comparisons (and a byte scan that only tracks whether it is inside a string); at each difference
 * the token holding it is read whole in both. When the tokens that differ have the same kinds one
 * for one (the same punctuation, the same keys, a string where there was a string, a number where
 * there was a number) and every value that changed keeps its format and is not flagged by the
 * redactor, the new body is valid JSON with exactly the previous body's shape and nothing in it to
 * redact — without being parsed or walked. Anything else (a key renamed, a number turned into a
 * string, differences spread over much of the body) says no, and the body takes the full path.
 *
 * `previous` must be valid JSON whose shape walk flagged nothing.
 */
export function changesOnlyValues(previous: Uint8Array, next: Uint8Array, inspector: ValueInspector): boolean {
  const a = asBuffer(previous);
  const b = asBuffer(next);
  // Tokens read one by one in both bodies, beyond half of them, cost more than one parse and walk.
  let budget = Math.max(a.length, b.length) / 2;
  const left = new Lexer(a, 0);
  const right = new Lexer(b, 0);
  for (;;) {
    // Both lexers stand between tokens, after the same tokens: identical bytes from here on are
    // read identically, up to the first difference.
    const same = commonPrefix(a, left.pos, b, right.pos);
    const differsAt = left.pos + same;
    if (differsAt === a.length && right.pos + same === b.length) return true;
    // Back to the start of the token holding the difference (the same place in both), then read
    // tokens in both until past it.
    const back = differsAt - tokenStartBefore(a, left.pos, differsAt);
    left.pos = differsAt - back;
    right.pos += same - back;
    do {
      const kind = left.next();
      if (right.next() !== kind || kind === END || kind === INVALID) return false;
      budget -= Math.max(left.pos - left.start, right.pos - right.start);
      if (budget < 0) return false;
      if (kind < PUNCTUATION && !sameSlice(a, left.start, left.pos, b, right.start, right.pos) && !sameValueFacts(kind, left, right, inspector)) {
        return false;
      }
    } while (left.pos <= differsAt);
  }
}

/** The last clean JSON body (its bytes and shape) answered under each key: a route and its status. */
export class RecentBodies {
  readonly #entries = new Map<string, { readonly bytes: Uint8Array; readonly shape: BodyShape }>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  /** @param maxEntries Most keys remembered. @param maxBytes Most bytes of bodies kept in all. */
  constructor(maxEntries = 256, maxBytes = 16 * 1024 * 1024) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  get(key: string): { readonly bytes: Uint8Array; readonly shape: BodyShape } | undefined {
    return this.#entries.get(key);
  }

  /** Remembers `bytes` (not copied: they must not change afterwards) and their shape under `key`. */
  set(key: string, bytes: Uint8Array, shape: BodyShape): void {
    const previous = this.#entries.get(key);
    if (previous) {
      this.#entries.delete(key);
      this.#bytes -= previous.bytes.byteLength;
    }
    if (bytes.byteLength > this.#maxBytes / 8) return;
    this.#entries.set(key, { bytes, shape });
    this.#bytes += bytes.byteLength;
    for (const [oldest, old] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.bytes.byteLength;
    }
  }
}

// Token kinds. Punctuation ({ } [ ] : ,) is PUNCTUATION plus its byte: the kind tells it whole.
const END = 0;
const STRING = 1;
const NUMBER = 2;
const BOOLEAN = 3;
const NULL = 4;
const INVALID = 5;
const PUNCTUATION = 0x100;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** 1 for JSON whitespace, 2 for punctuation, 0 for anything else (a part of a scalar or a quote). */
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) CLASS[c] = 1;
for (const c of '{}[]:,') CLASS[c.charCodeAt(0)] = 2;

/** A JSON tokenizer over bytes, starting at a position known to lie between tokens. */
class Lexer {
  /** Where the last token ended (where the next one is looked for). */
  pos: number;
  /** Where the last token started. */
  start = 0;
  readonly bytes: Buffer;

  constructor(bytes: Buffer, pos: number) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** Reads the next token: its kind; `start` and `pos` bound it. Never throws. */
  next(): number {
    const bytes = this.bytes;
    let i = this.pos;
    while (i < bytes.length && CLASS[bytes[i]!] === 1) i++;
    this.start = i;
    if (i >= bytes.length) {
      this.pos = i;
      return END;
    }
    const c = bytes[i]!;
    if (CLASS[c] === 2) {
      this.pos = i + 1;
      return PUNCTUATION + c;
    }
    if (c === QUOTE) {
      this.pos = stringEnd(bytes, i);
      return this.pos < 0 ? ((this.pos = bytes.length), INVALID) : STRING;
    }
    let j = i + 1;
    while (j < bytes.length && CLASS[bytes[j]!] === 0 && bytes[j] !== QUOTE) j++;
    this.pos = j;
    return scalarKind(bytes, i, j);
  }
}

/** The position after the closing quote of the string opened at `open`; -1 when it is not closed. */
function stringEnd(bytes: Buffer, open: number): number {
  let at = open;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at + 1;
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function scalarKind(bytes: Buffer, start: number, end: number): number {
  const first = bytes[start]!;
  if (first === 0x2d || (first >= 0x30 && first <= 0x39)) return JSON_NUMBER.test(bytes.toString('latin1', start, end)) ? NUMBER : INVALID;
  const text = end - start <= 5 ? bytes.toString('latin1', start, end) : '';
  if (text === 'true' || text === 'false') return BOOLEAN;
  return text === 'null' ? NULL : INVALID;
}

/**
 * Whether a value that changed leaves the shape and the redaction as they were: a string that
 * is a value (not a key) and keeps its format, a number that stays an integer or a decimal, a
 * boolean that flipped; and the inspector finds nothing in the new value.
 */
function sameValueFacts(kind: number, left: Lexer, right: Lexer, inspector: ValueInspector): boolean {
  switch (kind) {
    case STRING: {
      // A key that changed is a change of structure.
      if (followedByColon(right.bytes, right.pos)) return false;
      let before: unknown;
      let after: unknown;
      try {
        before = JSON.parse(left.bytes.toString('utf8', left.start, left.pos));
        after = JSON.parse(right.bytes.toString('utf8', right.start, right.pos));
      } catch {
        return false;
      }
      return typeof after === 'string' && formatOf(before) === formatOf(after) && !inspector.string(after);
    }
    case NUMBER: {
      const before = Number(left.bytes.toString('latin1', left.start, left.pos));
      const after = Number(right.bytes.toString('latin1', right.start, right.pos));
      return formatOf(before) === formatOf(after) && !inspector.number(after);
    }
    case BOOLEAN:
      return true;
    default:
      // `null` cannot differ from `null`; anything invalid is not JSON.
      return false;
  }
}

function followedByColon(bytes: Buffer, from: number): boolean {
  let i = from;
  while (i < bytes.length && CLASS[bytes[i]!] === 1) i++;
  return bytes[i] === 0x3a;
}

/**
 * Where reading tokens may start so that the token holding byte `at` (or ending just before it)
 * is read whole: the start of that token, or `at` itself when it lies between tokens. `from` lies
 * between tokens. The bytes from `from` to `at` are the same in both bodies, so the answer is too.
 */
function tokenStartBefore(bytes: Buffer, from: number, at: number): number {
  let inString = false;
  let escaped = false;
  let inScalar = false;
  let start = from;
  for (let i = from; i < at; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
      inScalar = false;
      start = i;
    } else if (CLASS[c] !== 0) {
      inScalar = false;
    } else if (!inScalar) {
      inScalar = true;
      start = i;
    }
  }
  return inString || inScalar ? start : at;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sameSlice(a: Buffer, startA: number, endA: number, b: Buffer, startB: number, endB: number): boolean {
  if (endA - startA !== endB - startB) return false;
  for (let i = 0; i < endA - startA; i++) if (a[startA + i] !== b[startB + i]) return false;
  return true;
}

/** How many bytes `a` from `i` and `b` from `j` have in common: big blocks compared natively, then bytes. */
function commonPrefix(a: Buffer, i: number, b: Buffer, j: number): number {
  const n = Math.min(a.length - i, b.length - j);
  let k = 0;
  for (const block of BLOCKS) {
    while (k + block <= n && a.compare(b, j + k, j + k + block, i + k, i + k + block) === 0) k += block;
  }
  while (k < n && a[i + k] === b[j + k]) k++;
  return k;
}

const BLOCKS = [4096, 256, 16];
