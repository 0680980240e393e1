import { childPath, itemsPath, ROOT_PATH } from './json-path.js';

/** JSON types as the comparator tells them apart. */
export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/**
 * Formats recognised in values. Strings: `date`, `date-time`, `time`, `uuid`, `email`, `uri`,
 * `integer-string`, `decimal-string`. Numbers: `integer`, `decimal`.
 */
export type ValueFormat =
  | 'date'
  | 'date-time'
  | 'time'
  | 'uuid'
  | 'email'
  | 'uri'
  | 'integer-string'
  | 'decimal-string'
  | 'integer'
  | 'decimal';

/** What one body shows about one path. */
export interface PathFacts {
  /** JSON types seen at this path, sorted. `null` is a type here: a null value is seen, not absent. */
  readonly types: readonly JsonType[];
  /**
   * True when the path was missing from some occurrences of its parent in this body — typically
   * a field that some array items have and others lack.
   */
  readonly partial?: true;
  /** Formats of the string and number values seen, sorted; absent when none was recognised. */
  readonly formats?: readonly ValueFormat[];
}

/**
 * The structure of one JSON body, without its values: for every path present, the types and
 * formats seen. Array items are merged into one `[*]` element. Deliberately free of counts and
 * values so that the thousands of bodies a route answers collapse into a handful of distinct
 * shapes — which is what lets a check aggregate 100,000 recordings without re-reading them.
 */
export type BodyShape = Readonly<Record<string, PathFacts>>;

/**
 * How deep a body is described. Deeper values are summarised by their type at this depth: no
 * API fixture goes this deep, and hostile bodies (100,000 nested arrays) must not cost more.
 */
export const MAX_SHAPE_DEPTH = 64;

/** How many distinct paths one body may contribute; the rest of a huge map-like body is skipped. */
export const MAX_SHAPE_PATHS = 5_000;

/**
 * Whether a parsed JSON value nests more than `limit` containers deep. Iterative: for code that
 * must not hand such a value to something recursive (JSON.stringify, structuredClone, json-diff-ts).
 */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/** The JSON type of a parsed JSON value. */
export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URI = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i;
const INTEGER_STRING = /^-?\d+$/;
const DECIMAL_STRING = /^-?\d+\.\d+$/;

/** The format a value shows, if it shows one of the recognised ones. */
export function formatOf(value: unknown): ValueFormat | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'decimal';
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined;
  // Cheapest discriminator first: most strings are words, which no pattern below can match.
  const first = value.charCodeAt(0);
  const startsWithDigit = first >= 48 && first <= 57;
  if (startsWithDigit || first === 45 /* - */) {
    if (INTEGER_STRING.test(value)) return 'integer-string';
    if (DECIMAL_STRING.test(value)) return 'decimal-string';
    if (DATE.test(value)) return 'date';
    if (DATE_TIME.test(value)) return 'date-time';
    if (TIME.test(value)) return 'time';
  }
  if (value.length === 36 && UUID.test(value)) return 'uuid';
  if (value.includes('@') && EMAIL.test(value)) return 'email';
  if (value.includes('://') && URI.test(value)) return 'uri';
  return undefined;
}

/** What the walk knows about one path; paths are a tree, spelled out only at the end. */
interface PathNode {
  types: number;
  formats: number;
  /** Occurrences of this path in the body. */
  seen: number;
  /** Occurrences as a container whose children were walked (objects), or items walked (arrays). */
  containers: number;
  readonly key: string | null;
  children: Map<string, PathNode> | null;
  items: PathNode | null;
}

const TYPES: readonly JsonType[] = ['array', 'boolean', 'null', 'number', 'object', 'string'];
const TYPE_BIT: Readonly<Record<JsonType, number>> = { array: 1, boolean: 2, null: 4, number: 8, object: 16, string: 32 };
const FORMATS: readonly ValueFormat[] = ['date', 'date-time', 'decimal', 'decimal-string', 'email', 'integer', 'integer-string', 'time', 'uri', 'uuid'];
const FORMAT_BIT = Object.fromEntries(FORMATS.map((format, index) => [format, 1 << index])) as Record<ValueFormat, number>;
const [ARRAY_BIT, BOOLEAN_BIT, NULL_BIT, NUMBER_BIT, OBJECT_BIT, STRING_BIT] = [1, 2, 4, 8, 16, 32] as const;
const INTEGER_BIT = FORMAT_BIT.integer;
const DECIMAL_BIT = FORMAT_BIT.decimal;

function newNode(key: string | null): PathNode {
  return { types: 0, formats: 0, seen: 0, containers: 0, key, children: null, items: null };
}

/**
 * Describes the structure of a parsed JSON value. One pass, iterative — nesting depth never
 * reaches the JS stack — over a tree of paths, so that the thousand items of a list cost a map
 * lookup per field rather than a path string each; paths are spelled out once, at the end.
 * Objects are read with `Object.keys`, so keys such as `__proto__` are ordinary paths.
 */
export function shapeOf(body: unknown, cache?: ShapeCache): BodyShape {
  const root = walk(body, undefined)!;
  return cache ? cache.shapeOf(root) : spellOut(root);
}

/**
 * What {@link shapeOfUnflagged} asks about every key and leaf it walks past: true flags it (a key
 * naming a secret, a value holding one).
 */
export interface ValueInspector {
  key(name: string): boolean;
  string(value: string): boolean;
  number(value: number): boolean;
}

/**
 * The shape of a body, or undefined as soon as the inspector flags one of its keys or values, or
 * when the walk would leave part of the body unseen (deeper than {@link MAX_SHAPE_DEPTH}, more
 * than {@link MAX_SHAPE_PATHS} paths). One walk answers both "does anything here need
 * redacting?" and "what is its shape?" for the bodies — nearly all — that need no redaction.
 */
export function shapeOfUnflagged(body: unknown, inspector: ValueInspector, cache?: ShapeCache): BodyShape | undefined {
  const root = walk(body, inspector);
  if (root === undefined) return undefined;
  return cache ? cache.shapeOf(root) : spellOut(root);
}

/** The tree of paths of a body; undefined when the inspector flagged something or a limit was hit. */
function walk(body: unknown, inspector: ValueInspector | undefined): PathNode | undefined {
  const root = newNode(null);
  let nodes = 1;
  // Only containers go on the stack: leaves, most of a body, are taken where they are met.
  const values: object[] = [];
  const targets: PathNode[] = [];
  const depths: number[] = [];
  if (!visit(root, body, inspector)) return undefined;
  if (typeof body === 'object' && body !== null) {
    values.push(body);
    targets.push(root);
    depths.push(0);
  }

  while (values.length > 0) {
    const value = values.pop()!;
    const node = targets.pop()!;
    const depth = depths.pop()!;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      if (depth >= MAX_SHAPE_DEPTH) {
        if (inspector) return undefined;
        continue;
      }
      let items = node.items;
      if (!items) {
        if (nodes >= MAX_SHAPE_PATHS) {
          if (inspector) return undefined;
          continue;
        }
        items = node.items = newNode(null);
        nodes += 1;
      }
      node.containers += value.length;
      for (let i = value.length - 1; i >= 0; i--) {
        const item: unknown = value[i];
        if (!visit(items, item, inspector)) return undefined;
        if (typeof item === 'object' && item !== null) {
          values.push(item);
          targets.push(items);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (depth >= MAX_SHAPE_DEPTH) {
      if (inspector && keys.length > 0) return undefined;
      continue;
    }
    node.containers += 1;
    const children = (node.children ??= new Map());
    for (const key of keys) {
      if (inspector?.key(key)) return undefined;
      let child = children.get(key);
      if (!child) {
        if (nodes >= MAX_SHAPE_PATHS) {
          if (inspector) return undefined;
          continue;
        }
        child = newNode(key);
        children.set(key, child);
        nodes += 1;
      }
      const item = object[key];
      if (!visit(child, item, inspector)) return undefined;
      if (typeof item === 'object' && item !== null) {
        values.push(item);
        targets.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return root;
}

/**
 * Counts one occurrence of a value at its path: its type and, for a leaf, its format. False when
 * the inspector flags the leaf. Containers are only typed here; the walk opens them.
 */
function visit(node: PathNode, value: unknown, inspector: ValueInspector | undefined): boolean {
  node.seen += 1;
  switch (typeof value) {
    case 'string': {
      if (inspector?.string(value)) return false;
      node.types |= STRING_BIT;
      const format = formatOf(value);
      if (format) node.formats |= FORMAT_BIT[format];
      return true;
    }
    case 'number': {
      if (inspector?.number(value)) return false;
      node.types |= NUMBER_BIT;
      node.formats |= Number.isInteger(value) ? INTEGER_BIT : DECIMAL_BIT;
      return true;
    }
    case 'boolean':
      node.types |= BOOLEAN_BIT;
      return true;
    default:
      node.types |= value === null ? NULL_BIT : Array.isArray(value) ? ARRAY_BIT : OBJECT_BIT;
      return true;
  }
}

/**
 * Shapes already spelled out, by a fingerprint of the walked tree. A route answers bodies of the
 * same structure with different values: the walk cannot be avoided (it is what finds the
 * structure), but spelling the paths out, sorting them and — in the store — serialising and
 * hashing the shape can. The same shape object is returned for the same structure, so that its
 * consumers can recognise it by identity. Shapes are treated as immutable; a bounded number are kept.
 */
export class ShapeCache {
  readonly #shapes = new Map<string, BodyShape>();
  readonly #maxEntries: number;

  /** @param maxEntries Most distinct structures kept. Default: 512. */
  constructor(maxEntries = 512) {
    this.#maxEntries = maxEntries;
  }

  /** @internal */
  shapeOf(root: PathNode): BodyShape {
    const key = fingerprint(root);
    let shape = this.#shapes.get(key);
    if (shape === undefined) {
      shape = spellOut(root);
      if (this.#shapes.size >= this.#maxEntries) this.#shapes.clear();
      this.#shapes.set(key, shape);
    }
    return shape;
  }
}

/**
 * The walked tree in prefix order, with counts: two trees give the same text only when they have
 * the same keys in the same order, with the same types, formats and partial flags. Costs one
 * string per path, where spelling out costs an escaped path, arrays and a sort.
 */
function fingerprint(root: PathNode): string {
  const parts: Array<string | number> = [];
  const stack: Array<{ node: PathNode; partial: boolean }> = [{ node: root, partial: false }];
  while (stack.length > 0) {
    const { node, partial } = stack.pop()!;
    const children = node.children;
    parts.push(node.types | (node.formats << 6) | (partial ? 1 << 20 : 0) | (node.items ? 1 << 21 : 0), children ? children.size : 0);
    if (node.key !== null) parts.push(node.key.length, node.key);
    if (node.items) stack.push({ node: node.items, partial: node.items.seen < node.containers });
    if (children) for (const child of children.values()) stack.push({ node: child, partial: child.seen < node.containers });
  }
  return parts.join('\u0000');
}

/** The tree as path → facts, paths sorted. */
function spellOut(root: PathNode): BodyShape {
  const entries: Array<[string, PathFacts]> = [];
  const stack: Array<{ node: PathNode; path: string; parent: PathNode | null }> = [{ node: root, path: ROOT_PATH, parent: null }];
  while (stack.length > 0) {
    const { node, path, parent } = stack.pop()!;
    // Partial: the parent occurred as an object more often than this key did (some array items
    // lack it). For `[*]` the parent's count is the number of items, which always equals `seen`.
    const partial = parent !== null && node.seen < parent.containers;
    entries.push([
      path,
      {
        types: TYPES.filter((type) => node.types & TYPE_BIT[type]),
        ...(partial ? { partial: true as const } : {}),
        ...(node.formats !== 0 ? { formats: FORMATS.filter((format) => node.formats & FORMAT_BIT[format]) } : {}),
      },
    ]);
    if (node.items) stack.push({ node: node.items, path: itemsPath(path), parent: node });
    if (node.children) for (const [key, child] of node.children) stack.push({ node: child, path: childPath(path, key), parent: node });
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const shape: Record<string, PathFacts> = Object.create(null) as Record<string, PathFacts>;
  for (const [path, facts] of entries) shape[path] = facts;
  return shape;
}

/** A canonical text of a shape: equal shapes give equal text, so it can key a de-duplicated table. */
export function serializeShape(shape: BodyShape): string {
  // shapeOf already sorts paths, types and formats; sorting again keeps hand-built shapes canonical.
  const entries = Object.keys(shape)
    .sort()
    .map((path) => [path, shape[path]] as const);
  return JSON.stringify(Object.fromEntries(entries));
}

/** Reads a shape back from {@link serializeShape}'s text. */
export function parseShape(text: string): BodyShape {
  const parsed = JSON.parse(text) as Record<string, PathFacts>;
  const shape: Record<string, PathFacts> = Object.create(null) as Record<string, PathFacts>;
  for (const path of Object.keys(parsed)) shape[path] = parsed[path]!;
  return shape;
}
