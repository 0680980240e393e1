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

interface Accumulator {
  types: Set<JsonType>;
  formats: Set<ValueFormat>;
  /** Occurrences of this path in the body. */
  seen: number;
  /** Occurrences of the parent as an object (or as a non-empty array, for `[*]`). */
  parentPath: string | null;
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

/**
 * Describes the structure of a parsed JSON value. Iterative, so that nesting depth never
 * reaches the JS stack; objects are read with `Object.keys` so that keys such as `__proto__`
 * are ordinary paths.
 */
export function shapeOf(body: unknown): BodyShape {
  const paths = new Map<string, Accumulator>();
  // Occurrences of each path as a container whose children are recorded: the denominator
  // that tells a field present in every item from one present in some.
  const containerCounts = new Map<string, number>();
  const stack: Array<{ value: unknown; path: string; parent: string | null; depth: number }> = [
    { value: body, path: ROOT_PATH, parent: null, depth: 0 },
  ];

  while (stack.length > 0) {
    const { value, path, parent, depth } = stack.pop()!;
    let facts = paths.get(path);
    if (!facts) {
      if (paths.size >= MAX_SHAPE_PATHS) continue;
      facts = { types: new Set(), formats: new Set(), seen: 0, parentPath: parent };
      paths.set(path, facts);
    }
    const type = jsonTypeOf(value);
    facts.types.add(type);
    facts.seen += 1;
    const format = formatOf(value);
    if (format) facts.formats.add(format);

    if (depth >= MAX_SHAPE_DEPTH) continue;
    if (type === 'object') {
      containerCounts.set(path, (containerCounts.get(path) ?? 0) + 1);
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        stack.push({ value: object[key], path: childPath(path, key), parent: path, depth: depth + 1 });
      }
    } else if (type === 'array') {
      const items = value as unknown[];
      if (items.length === 0) continue;
      const itemPath = itemsPath(path);
      containerCounts.set(path, (containerCounts.get(path) ?? 0) + items.length);
      for (let i = items.length - 1; i >= 0; i--) {
        stack.push({ value: items[i], path: itemPath, parent: path, depth: depth + 1 });
      }
    }
  }

  const shape: Record<string, PathFacts> = Object.create(null) as Record<string, PathFacts>;
  for (const path of [...paths.keys()].sort()) {
    const facts = paths.get(path)!;
    // A field is partial when its parent occurred as a container more often than it did; for
    // `[*]` the parent's count is the number of items, which always equals `seen`.
    const partial = facts.parentPath !== null && facts.seen < (containerCounts.get(facts.parentPath) ?? 0);
    shape[path] = {
      types: [...facts.types].sort(),
      ...(partial ? { partial: true as const } : {}),
      ...(facts.formats.size > 0 ? { formats: [...facts.formats].sort() } : {}),
    };
  }
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
