import type { SpecSchema } from '../model/spec-schema.js';
import type { AggregateShape } from './aggregate-shape.js';
import { detectRenames } from './detect-renames.js';
import { article, describeField, type FieldCandidate } from './diff-shape.js';
import { diffSchema, type SchemaViolation } from './diff-schema.js';
import { ofRecordings, type Drift } from './drift.js';
import { SchemaCompiler } from './expected-schema.js';
import { lastKey, parentPath } from '../model/json-path.js';

export interface SchemaDriftOptions {
  readonly ignored?: (path: string) => boolean;
  /** Parsed bodies (for `enum` values and rename evidence). */
  readonly samples: () => readonly unknown[];
}

/** Compilers per document: a schema is compiled once per check, however many responses use it. */
const compilers = new WeakMap<SpecSchema['resolve'], SchemaCompiler>();

function compilerFor(spec: SpecSchema): SchemaCompiler {
  let compiler = compilers.get(spec.resolve);
  if (!compiler) {
    compiler = new SchemaCompiler(spec);
    compilers.set(spec.resolve, compiler);
  }
  return compiler;
}

/**
 * An OpenAPI response schema used as a fixture, against the recordings of its route: what the
 * recordings show that the schema does not allow. Findings point at the schema's lines.
 */
export function specFixtureDrifts(spec: SpecSchema, reality: AggregateShape, options: SchemaDriftOptions): Drift[] {
  const violations = diffSchema(spec.root, reality, compilerFor(spec), { ...(options.ignored ? { ignored: options.ignored } : {}), samples: options.samples });
  const line = (violation: SchemaViolation): number => spec.lineOf(violation.pointer);
  const n = reality.recordings;
  const { renames, missing, undeclared } = pairRenames(violations, options.samples);
  const drifts: Drift[] = [];
  for (const { from, to, sameValue } of renames) {
    drifts.push({
      kind: 'field-renamed',
      path: from.path,
      to: to.path,
      expected: from.violation.types.join(' | ') || 'any',
      actual: 'absent',
      recordings: from.violation.objects,
      matching: 0,
      message: `The spec requires ${from.path}; it is in none of ${from.violation.objects} recording${from.violation.objects === 1 ? '' : 's'}, which have ${to.path} instead${sameValue ? ', with the same value' : ''}.`,
      fix: `rename the property ${describeField(from.path)} to ${describeField(to.path)} in {at}`,
      line: line(from.violation),
    });
  }
  for (const violation of missing) {
    drifts.push({
      kind: 'field-missing',
      path: violation.path,
      expected: violation.types.join(' | ') || 'any',
      actual: 'absent',
      recordings: violation.objects,
      matching: 0,
      message: `The spec requires ${violation.path}; it is in none of ${violation.objects} recording${violation.objects === 1 ? '' : 's'}.`,
      fix: `make ${describeField(violation.path)} optional in {at}, or remove it`,
      line: line(violation),
    });
  }
  for (const violation of undeclared) {
    const types = violation.types.join(' | ') || 'null';
    drifts.push({
      kind: 'field-added',
      path: violation.path,
      expected: 'absent',
      actual: types,
      recordings: violation.objects,
      matching: violation.objects - violation.present,
      message: violation.closed
        ? `Reality has ${violation.path} (${types}) in ${ofRecordings(violation.present, n)}; the spec forbids properties it does not declare (additionalProperties: false).`
        : `Reality has ${violation.path} (${types}) in ${ofRecordings(violation.present, n)}; the spec does not declare it.`,
      fix: `declare ${describeField(violation.path)} in {at}`,
      line: line(violation),
      ...(violation.closed ? { severity: 'breaking' as const } : {}),
    });
  }
  for (const violation of violations) {
    const drift = valueDrift(violation, 'recordings', n);
    if (drift) drifts.push({ ...drift, line: line(violation) });
  }
  return drifts;
}

/**
 * A mock's response body against the provider's spec, the spec being reality: a field the spec
 * does not define, a required one missing, a value of the wrong type, format or enum. `line`
 * maps a body path to the mock file's line.
 */
export function mockAgainstSpecDrifts(spec: SpecSchema, mock: AggregateShape, options: SchemaDriftOptions): Drift[] {
  const violations = diffSchema(spec.root, mock, compilerFor(spec), { ...(options.ignored ? { ignored: options.ignored } : {}), samples: options.samples });
  const { renames, missing, undeclared } = pairRenames(violations, () => []);
  const drifts: Drift[] = [];
  for (const { from, to } of renames) {
    // Here the mock's field is the old name: the spec (reality) calls it otherwise.
    drifts.push({
      kind: 'field-renamed',
      path: to.path,
      to: from.path,
      expected: to.violation.types.join(' | ') || 'null',
      actual: 'absent',
      recordings: 0,
      matching: 0,
      message: `The fixture has ${to.path}, which the spec does not define; the spec requires ${from.path} in its place.`,
      fix: `rename ${describeField(to.path)} to ${describeField(from.path)} in {at}`,
    });
  }
  for (const violation of undeclared) {
    drifts.push({
      kind: 'field-added',
      path: violation.path,
      expected: 'absent',
      actual: violation.types.join(' | ') || 'null',
      recordings: 0,
      matching: 0,
      message: `The fixture has ${violation.path}, which the spec does not define${violation.closed ? ' (additionalProperties: false)' : ''}: the real API does not send it.`,
      fix: `remove ${describeField(violation.path)} from {at}, and the code that reads it`,
      severity: 'breaking',
    });
  }
  for (const violation of missing) {
    drifts.push({
      kind: 'field-missing',
      path: violation.path,
      expected: violation.types.join(' | ') || 'any',
      actual: 'absent',
      recordings: 0,
      matching: 0,
      message: `The spec requires ${violation.path}; the fixture lacks it.`,
      fix: `add ${describeField(violation.path)} to {at}`,
    });
  }
  for (const violation of violations) {
    const drift = valueDrift(violation, 'spec', 1);
    if (drift) drifts.push(drift);
  }
  return drifts;
}

type Missing = Extract<SchemaViolation, { kind: 'missing' }>;
type Undeclared = Extract<SchemaViolation, { kind: 'undeclared' }>;

/** Pairs a required property absent with an undeclared one present under a similar name. */
function pairRenames(
  violations: readonly SchemaViolation[],
  samples: () => readonly unknown[],
): {
  renames: Array<{ from: FieldCandidate & { violation: Missing }; to: FieldCandidate & { violation: Undeclared }; sameValue: boolean }>;
  missing: Missing[];
  undeclared: Undeclared[];
} {
  const missing = violations.filter((violation): violation is Missing => violation.kind === 'missing');
  const undeclared = violations.filter((violation): violation is Undeclared => violation.kind === 'undeclared');
  const from = missing.map((violation) => ({ ...candidate(violation.path, violation.types, violation.objects), violation }));
  const to = undeclared.map((violation) => ({ ...candidate(violation.path, violation.types, violation.present), violation }));
  const renames = detectRenames(from, to, undefined, samples).map((rename) => ({
    from: from.find((item) => item.path === rename.from.path)!,
    to: to.find((item) => item.path === rename.to.path)!,
    sameValue: rename.sameValue,
  }));
  const renamedFrom = new Set(renames.map((rename) => rename.from.path));
  const renamedTo = new Set(renames.map((rename) => rename.to.path));
  return {
    renames,
    missing: missing.filter((violation) => !renamedFrom.has(violation.path)),
    undeclared: undeclared.filter((violation) => !renamedTo.has(violation.path)),
  };
}

function candidate(path: string, types: readonly FieldCandidate['types'][number][], recordings: number): FieldCandidate {
  return { path, parent: parentPath(path) ?? '$', key: lastKey(path) ?? path, types, recordings };
}

/** Type, null, format, enum and optionality: worded for either side. */
function valueDrift(violation: SchemaViolation, side: 'recordings' | 'spec', total: number): Drift | undefined {
  const inReality = (count: number, of: number): string => (side === 'recordings' ? ` in ${ofRecordings(count, of)}` : ' in the fixture');
  switch (violation.kind) {
    case 'type':
      return {
        kind: 'type-changed',
        path: violation.path,
        expected: violation.expected,
        actual: violation.actual,
        recordings: side === 'recordings' ? violation.present : 0,
        matching: side === 'recordings' ? violation.present - violation.count : 0,
        message: `${violation.path} is ${article(violation.expected)} in the spec but ${article(violation.actual)}${inReality(violation.count, violation.present)}.`,
        fix: side === 'recordings' ? `make ${describeField(violation.path)} ${article(violation.actual)} in {at}` : `make ${describeField(violation.path)} ${article(violation.expected.split(' | ')[0]!)} in {at}`,
      };
    case 'null':
      return {
        kind: 'field-nullable',
        path: violation.path,
        expected: violation.expected,
        actual: 'null',
        recordings: side === 'recordings' ? violation.present : 0,
        matching: side === 'recordings' ? violation.present - violation.nulls : 0,
        message: `${violation.path} is null${inReality(violation.nulls, violation.present)}; the spec does not allow null there.`,
        fix: side === 'recordings' ? `mark ${describeField(violation.path)} nullable in {at}` : `give ${describeField(violation.path)} ${article(violation.expected.split(' | ')[0]!)} value in {at}`,
      };
    case 'format':
      return {
        kind: 'format-changed',
        path: violation.path,
        expected: violation.expected,
        actual: violation.actual,
        recordings: side === 'recordings' ? violation.strings : 0,
        matching: 0,
        message: `${violation.path} has the format ${violation.expected} in the spec but is ${violation.actual === 'text' ? 'plain text' : article(violation.actual)}${inReality(violation.strings, violation.strings)}.`,
        fix: side === 'recordings' ? `change the format of ${describeField(violation.path)} in {at}` : `use ${article(violation.expected)} value for ${describeField(violation.path)} in {at}`,
      };
    case 'enum': {
      const shown = violation.outside.map((value) => JSON.stringify(value)).join(', ');
      return {
        kind: 'value-changed',
        path: violation.path,
        expected: violation.allowed,
        actual: violation.outside.length === 1 ? violation.outside[0] : violation.outside,
        recordings: side === 'recordings' ? total : 0,
        matching: 0,
        message: `${violation.path} is ${shown}${side === 'recordings' ? ' in recordings' : ' in the fixture'}; the spec's enum allows ${violation.allowed.map((value) => JSON.stringify(value)).join(', ')}.`,
        fix: side === 'recordings' ? `add ${shown} to the enum of ${describeField(violation.path)} in {at}` : `use one of the spec's values for ${describeField(violation.path)} in {at}`,
      };
    }
    case 'sometimes-missing':
      if (side === 'spec') return undefined;
      return {
        kind: 'field-optional',
        path: violation.path,
        expected: 'always present',
        actual: 'sometimes absent',
        recordings: violation.objects,
        matching: violation.present,
        message: `The spec requires ${violation.path}, but it is absent in some of ${ofRecordings(violation.objects, violation.objects).replace(/^\d+ of /, '')}.`,
        fix: `make ${describeField(violation.path)} optional in {at}`,
      };
    default:
      return undefined;
  }
}

/**
 * A body made of the schema's `example`/`examples` values, for the paths the config's `enums`
 * pins: elsewhere examples are illustrations, never compared. Undefined when there is none.
 */
export function exampleBody(spec: SpecSchema): unknown {
  return exampleOf(spec, spec.root.value, 0);
}

function exampleOf(spec: SpecSchema, schema: unknown, depth: number): unknown {
  let value = schema;
  for (let hops = 0; hops < 32 && isRecord(value) && typeof value['$ref'] === 'string'; hops++) value = spec.resolve(value['$ref'])?.value;
  if (!isRecord(value) || depth > 16) return undefined;
  if (value['example'] !== undefined) return value['example'];
  if (Array.isArray(value['examples']) && value['examples'].length > 0) return value['examples'][0];
  const parts = Array.isArray(value['allOf']) ? [value, ...value['allOf']] : [value];
  const body: Record<string, unknown> = {};
  let any = false;
  for (const part of parts) {
    let resolved = part;
    for (let hops = 0; hops < 32 && isRecord(resolved) && typeof resolved['$ref'] === 'string'; hops++) resolved = spec.resolve(resolved['$ref'])?.value;
    if (!isRecord(resolved) || !isRecord(resolved['properties'])) continue;
    for (const [name, property] of Object.entries(resolved['properties'])) {
      const example = exampleOf(spec, property, depth + 1);
      if (example === undefined) continue;
      body[name] = example;
      any = true;
    }
  }
  if (any) return body;
  if (isRecord(value['items'])) {
    const item = exampleOf(spec, value['items'], depth + 1);
    return item === undefined ? undefined : [item];
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
