import type { JsonPointer } from '../model/fixture.js';
import { childPath, itemsPath, lastKey, parentPath, ROOT_PATH } from '../model/json-path.js';
import type { JsonType, ValueFormat } from '../model/shape.js';
import type { SchemaAt } from '../model/spec-schema.js';
import { countOfType, type AggregateShape, type PathStats } from './aggregate-shape.js';
import { mostCommon } from './diff-shape.js';
import { valuesAt } from './values-at.js';
import { unionOf, type ExpectedNode, type SchemaCompiler, type SchemaType } from './expected-schema.js';

/**
 * One way the body shapes of reality do not fit a schema, before it is worded as a finding —
 * the same facts serve both directions (the spec as a fixture checked against recordings, and a
 * mock checked against the spec as reality).
 */
export type SchemaViolation =
  /** A required property no body has. */
  | { readonly kind: 'missing'; readonly path: string; readonly pointer: JsonPointer; readonly types: readonly JsonType[]; readonly objects: number }
  /** A required property some bodies lack. */
  | { readonly kind: 'sometimes-missing'; readonly path: string; readonly pointer: JsonPointer; readonly present: number; readonly objects: number }
  /** A property the schema does not declare; `closed` when `additionalProperties: false` forbids it. */
  | {
      readonly kind: 'undeclared';
      readonly path: string;
      readonly pointer: JsonPointer;
      readonly types: readonly JsonType[];
      readonly present: number;
      readonly objects: number;
      readonly closed: boolean;
    }
  | { readonly kind: 'type'; readonly path: string; readonly pointer: JsonPointer; readonly expected: string; readonly actual: string; readonly count: number; readonly present: number }
  | { readonly kind: 'null'; readonly path: string; readonly pointer: JsonPointer; readonly expected: string; readonly nulls: number; readonly present: number }
  | { readonly kind: 'format'; readonly path: string; readonly pointer: JsonPointer; readonly expected: string; readonly actual: string; readonly strings: number }
  | { readonly kind: 'enum'; readonly path: string; readonly pointer: JsonPointer; readonly allowed: readonly unknown[]; readonly outside: readonly unknown[]; readonly checked: number };

export interface SchemaDiffOptions {
  /** Whether a path is ignored (with everything below it). Default: none. */
  readonly ignored?: (path: string) => boolean;
  /** Parsed bodies to check `enum` values against; asked for only when the schema has an enum. */
  readonly samples?: () => readonly unknown[];
}

/** Schema formats that values show (see `formatOf`); others (`int64`, `byte`, `hostname`…) are not checked. */
const CHECKED_FORMATS: Readonly<Record<string, ValueFormat>> = {
  date: 'date',
  'date-time': 'date-time',
  time: 'time',
  uuid: 'uuid',
  email: 'email',
  uri: 'uri',
  url: 'uri',
};

/** How many `oneOf`/`anyOf` branches one comparison walks at most; past it, the branches are taken together. */
const MAX_BRANCH_WALKS = 2_000;

/** How deep the walk goes: as deep as a body shape is described, and no deeper. */
const MAX_DEPTH = 64;

/**
 * Walks reality's aggregated body shape against a schema, path by path from `$`: required
 * properties absent, undeclared ones present, types, null, formats, enums; `oneOf`/`anyOf`
 * pass when reality fits one branch (or, for arrays of mixed items, the branches together).
 */
export function diffSchema(root: SchemaAt, reality: AggregateShape, compiler: SchemaCompiler, options: SchemaDiffOptions = {}): SchemaViolation[] {
  const children = new Map<string, string[]>();
  for (const path of reality.paths.keys()) {
    const parent = parentPath(path);
    if (parent === undefined || lastKey(path) === undefined) continue;
    const list = children.get(parent);
    if (list) list.push(path);
    else children.set(parent, [path]);
  }
  const walker = new Walker(reality, compiler, children, options);
  const out: SchemaViolation[] = [];
  walker.walk(root, ROOT_PATH, 0, out);
  return out;
}

class Walker {
  readonly #reality: AggregateShape;
  readonly #compiler: SchemaCompiler;
  readonly #children: ReadonlyMap<string, readonly string[]>;
  readonly #options: SchemaDiffOptions;
  #samples: readonly unknown[] | undefined;
  /** Branch evaluations left: nested `oneOf`s multiply, and a hostile spec must not make that cost unbounded. */
  #branchBudget = MAX_BRANCH_WALKS;

  constructor(reality: AggregateShape, compiler: SchemaCompiler, children: ReadonlyMap<string, readonly string[]>, options: SchemaDiffOptions) {
    this.#reality = reality;
    this.#compiler = compiler;
    this.#children = children;
    this.#options = options;
  }

  /** Walks `at`; findings about the value itself point where it is declared (a property, not its `$ref`'s target). */
  walk(at: SchemaAt, path: string, depth: number, out: SchemaViolation[]): void {
    const node = this.#compiler.compile(at);
    this.walkNode(at.pointer === node.pointer ? node : { ...node, pointer: at.pointer }, path, depth, out);
  }

  walkNode(node: ExpectedNode, path: string, depth: number, out: SchemaViolation[]): void {
    if (depth > MAX_DEPTH || (path !== ROOT_PATH && this.#options.ignored?.(path))) return;
    const stats = this.#reality.paths.get(path);
    if (!stats || stats.present === 0) return;
    if (node.branches) {
      this.#walkBranches(node, path, depth, out);
      return;
    }
    if (!this.#typesFit(node, path, stats, out)) return;
    const nulls = stats.types.get('null') ?? 0;
    if (nulls > 0 && !node.nullable && !unconstrained(node)) {
      out.push({ kind: 'null', path, pointer: node.pointer, expected: describeTypes(node), nulls, present: stats.present });
    }
    this.#checkFormat(node, path, stats, out);
    if (node.enumValues) this.#checkEnum(node, path, out);
    if (stats.types.has('object')) this.#walkObject(node, path, depth, out);
    if (stats.types.has('array') && node.items) this.walk(node.items, itemsPath(path), depth + 1, out);
  }

  /** Whether reality's types fit; a misfit is reported and ends the walk below this path. */
  #typesFit(node: ExpectedNode, path: string, stats: PathStats, out: SchemaViolation[]): boolean {
    if (node.types.size === 0) return true;
    const misfits = new Map<string, number>();
    for (const [type, count] of stats.types) {
      if (type === 'null' || allows(node.types, type)) continue;
      misfits.set(type, count);
    }
    if (misfits.size === 0) {
      // `integer` asks for whole numbers: a decimal seen is another type.
      const decimals = stats.formats.get('decimal') ?? 0;
      if (node.types.has('integer') && !node.types.has('number') && decimals > 0) {
        out.push({ kind: 'type', path, pointer: node.pointer, expected: 'integer', actual: 'decimal', count: decimals, present: stats.present });
        return false;
      }
      return true;
    }
    const actual = mostCommon(misfits)!;
    out.push({ kind: 'type', path, pointer: node.pointer, expected: describeTypes(node), actual, count: misfits.get(actual)!, present: stats.present });
    return false;
  }

  #checkFormat(node: ExpectedNode, path: string, stats: PathStats, out: SchemaViolation[]): void {
    const wanted = node.format !== undefined ? CHECKED_FORMATS[node.format] : undefined;
    const strings = stats.types.get('string') ?? 0;
    if (!wanted || strings === 0 || (stats.formats.get(wanted) ?? 0) > 0) return;
    // A date-time field that shows dates only is a looser value, not another format, and vice versa not.
    const shown = new Map([...stats.formats].filter(([format]) => format !== 'integer' && format !== 'decimal'));
    out.push({ kind: 'format', path, pointer: node.pointer, expected: node.format!, actual: mostCommon(shown) ?? 'text', strings });
  }

  #checkEnum(node: ExpectedNode, path: string, out: SchemaViolation[]): void {
    this.#samples ??= this.#options.samples?.() ?? [];
    const allowed = node.enumValues!;
    const keys = new Set(allowed.map((value) => JSON.stringify(value)));
    const seen = valuesAtPath(this.#samples, path);
    const outside: unknown[] = [];
    for (const value of seen) {
      if (value === null && node.nullable) continue;
      if (typeof value === 'object' && value !== null) continue;
      if (keys.has(JSON.stringify(value))) continue;
      if (!outside.some((other) => other === value)) outside.push(value);
      if (outside.length >= 5) break;
    }
    if (outside.length > 0) out.push({ kind: 'enum', path, pointer: node.pointer, allowed, outside, checked: seen.length });
  }

  #walkObject(node: ExpectedNode, path: string, depth: number, out: SchemaViolation[]): void {
    const objects = countOfType(this.#reality, path, 'object');
    if (objects === 0) return;
    for (const [name, property] of node.properties) {
      const child = childPath(path, name);
      if (this.#options.ignored?.(child)) continue;
      const stats = this.#reality.paths.get(child);
      const present = stats?.present ?? 0;
      if (present === 0) {
        if (property.required) out.push({ kind: 'missing', path: child, pointer: property.pointer, types: jsonTypesOf(this.#compiler.compile(property.schema)), objects });
        continue;
      }
      if (property.required && (present < objects || (stats?.partial ?? 0) > 0)) {
        out.push({ kind: 'sometimes-missing', path: child, pointer: property.pointer, present: Math.min(present, objects), objects });
      }
      this.walk(property.schema, child, depth + 1, out);
    }
    if (node.additional === 'free') return;
    for (const child of this.#children.get(path) ?? []) {
      const key = lastKey(child)!;
      if (node.properties.has(key) || this.#options.ignored?.(child)) continue;
      if (typeof node.additional === 'object') {
        this.walk(node.additional, child, depth + 1, out);
        continue;
      }
      const stats = this.#reality.paths.get(child)!;
      if (stats.present === 0) continue;
      out.push({
        kind: 'undeclared',
        path: child,
        pointer: node.pointer,
        types: [...stats.types.keys()].filter((type) => type !== 'null').sort(),
        present: stats.present,
        objects,
        closed: node.additional === 'closed',
      });
    }
  }

  /**
   * Reality fits a `oneOf`/`anyOf` when it fits one branch. Items of an array are merged into one
   * shape, so an array of cats and dogs fits no branch alone: the branches laid over each other
   * are tried next. Otherwise the branch that fits best is reported.
   */
  #walkBranches(node: ExpectedNode, path: string, depth: number, out: SchemaViolation[]): void {
    const { branches, ...own } = node;
    const compiled = branches!.map((branch) => {
      const compiledBranch = this.#compiler.compile(branch);
      return { ...compiledBranch, nullable: compiledBranch.nullable || own.nullable, ...(own.properties.size > 0 ? { properties: new Map([...own.properties, ...compiledBranch.properties]) } : {}) };
    });
    let best: SchemaViolation[] | undefined;
    for (const branch of compiled) {
      if (--this.#branchBudget < 0) break;
      const found: SchemaViolation[] = [];
      this.walkNode(branch, path, depth, found);
      if (found.length === 0) return;
      if (!best || weight(found) < weight(best)) best = found;
    }
    const union: SchemaViolation[] = [];
    this.walkNode(unionOf(compiled, node.pointer), path, depth, union);
    if (union.length === 0) return;
    for (const violation of best ?? union) out.push(violation);
  }
}

function weight(violations: readonly SchemaViolation[]): number {
  return violations.reduce((total, violation) => total + (violation.kind === 'undeclared' && !violation.closed ? 1 : violation.kind === 'sometimes-missing' || violation.kind === 'null' || violation.kind === 'format' ? 10 : 100), 0);
}

function allows(types: ReadonlySet<SchemaType>, type: JsonType): boolean {
  if (type === 'number') return types.has('number') || types.has('integer');
  return types.has(type as SchemaType);
}

function unconstrained(node: ExpectedNode): boolean {
  return node.types.size === 0 && node.properties.size === 0 && !node.items && !node.enumValues && !node.branches;
}

/** `string`, `integer | string`. */
export function describeTypes(node: ExpectedNode): string {
  return [...node.types].sort().join(' | ') || 'any';
}

/** The JSON types a schema node allows (`integer` is a number). */
export function jsonTypesOf(node: ExpectedNode): JsonType[] {
  return [...new Set([...node.types].map((type): JsonType => (type === 'integer' ? 'number' : type)))].sort();
}

/** Every value at a body path (`$.items[*].kind`) across bodies; at most 10,000. */
function valuesAtPath(bodies: readonly unknown[], path: string): unknown[] {
  const values: unknown[] = [];
  for (const body of bodies) {
    for (const value of valuesAt(body, path)) {
      if (values.length >= 10_000) return values;
      values.push(value);
    }
  }
  return values;
}
