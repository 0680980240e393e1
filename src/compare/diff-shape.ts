import type { BodyShape, JsonType, ValueFormat } from '../model/shape.js';
import type { ValueMatcher } from '../model/fixture.js';
import { lastKey, parentPath } from '../model/json-path.js';
import { countOfType, type AggregateShape, type PathStats } from './aggregate-shape.js';
import { ofRecordings, type Drift } from './drift.js';

/** A field the fixture has and no recording has, or the other way round: rename candidates. */
export interface FieldCandidate {
  readonly path: string;
  readonly parent: string;
  readonly key: string;
  /** Non-null JSON types: the fixture's for a missing field, reality's for an added one. */
  readonly types: readonly JsonType[];
  /** Recordings that have the field (added), or in which its parent is an object (missing). */
  readonly recordings: number;
}

export interface ShapeDiff {
  readonly drifts: Drift[];
  readonly missing: FieldCandidate[];
  readonly added: FieldCandidate[];
}

export interface ShapeDiffOptions {
  /** Whether a path is ignored (with everything below it). */
  readonly ignored: (path: string) => boolean;
  readonly matchers: Readonly<Record<string, ValueMatcher>>;
}

/**
 * Walks the fixture's body shape against reality's, path by path, parents first. A path whose
 * parent is already reported (missing, or of another type) is not reported again; an array that
 * reality only ever sent empty says nothing about its items.
 */
export function diffShape(fixture: BodyShape, reality: AggregateShape, options: ShapeDiffOptions): ShapeDiff {
  const drifts: Drift[] = [];
  const missing: FieldCandidate[] = [];
  const blocked: string[] = [];
  const isBlocked = (path: string): boolean => blocked.some((prefix) => isBelow(path, prefix));

  for (const path of Object.keys(fixture).sort()) {
    if (isBlocked(path)) continue;
    if (path !== '$' && options.ignored(path)) {
      blocked.push(path);
      continue;
    }
    const facts = fixture[path]!;
    const stats = reality.paths.get(path);
    const parent = parentPath(path);
    const key = lastKey(path);

    if (parent !== undefined) {
      // The parent must be a container in reality for this path to be judged at all.
      const parentContainers = key === undefined ? stats?.present ?? 0 : countOfType(reality, parent, 'object');
      if (parentContainers === 0) {
        blocked.push(path);
        continue;
      }
      if (key !== undefined && (!stats || stats.present === 0)) {
        missing.push({ path, parent, key, types: nonNull(facts.types), recordings: parentContainers });
        blocked.push(path);
        continue;
      }
    }
    if (!stats) continue;

    const typeDrift = typeChange(path, facts.types, stats, options.matchers[path]);
    if (typeDrift) {
      drifts.push(typeDrift);
      blocked.push(path);
      continue;
    }
    if (key !== undefined && parent !== undefined && !facts.partial) {
      const optional = optionality(path, stats, countOfType(reality, parent, 'object'));
      if (optional) drifts.push(optional);
    }
    const nullable = nullability(path, facts.types, stats);
    if (nullable) drifts.push(nullable);
    const matcher = options.matchers[path];
    if (!matcher || matcher.kind === 'type' || matcher.kind === 'equality') {
      const format = formatChange(path, facts.types, facts.formats ?? [], stats);
      if (format) drifts.push(format);
    }
  }

  const added: FieldCandidate[] = [];
  for (const [path, stats] of reality.paths) {
    if (stats.present === 0 || path in fixture) continue;
    const parent = parentPath(path);
    const key = lastKey(path);
    // Only the first path of something new counts: `$.shipping` added, not each field below it.
    if (parent === undefined || key === undefined || !(parent in fixture)) continue;
    if (!fixture[parent]!.types.includes('object') || isBlocked(parent) || options.ignored(path)) continue;
    added.push({ path, parent, key, types: nonNull([...stats.types.keys()]), recordings: stats.present });
  }
  return { drifts, missing, added };
}

function isBelow(path: string, prefix: string): boolean {
  return path.length > prefix.length && path.startsWith(prefix) && (path[prefix.length] === '.' || path[prefix.length] === '[');
}

function nonNull(types: readonly JsonType[]): JsonType[] {
  return types.filter((type) => type !== 'null');
}

/** The most frequent entry of a count map. */
export function mostCommon<K>(counts: ReadonlyMap<K, number>): K | undefined {
  let best: K | undefined;
  let bestCount = -1;
  for (const [key, count] of counts) {
    if (count > bestCount) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

function typeChange(path: string, fixtureTypes: readonly JsonType[], stats: PathStats, matcher: ValueMatcher | undefined): Drift | undefined {
  const expected = nonNull(fixtureTypes);
  const actual = new Map([...stats.types].filter(([type]) => type !== 'null'));
  if (expected.length === 0 || actual.size === 0) return undefined; // a null example pins no type
  if (expected.some((type) => actual.has(type))) return numberKindChange(path, stats, matcher);
  const seen = mostCommon(actual)!;
  return {
    kind: 'type-changed',
    path,
    expected: expected.join(' | '),
    actual: seen,
    recordings: stats.present,
    matching: 0,
    message: `${path} is ${article(expected.join(' or '))} in the fixture but ${article(seen)} in ${ofRecordings(actual.get(seen)!, stats.present)}.`,
    fix: `make ${describeField(path)} ${article(seen)} in {at}`,
  };
}

/** Pact's `integer`/`decimal` matchers ask for one kind of number. */
function numberKindChange(path: string, stats: PathStats, matcher: ValueMatcher | undefined): Drift | undefined {
  if (!matcher || (matcher.kind !== 'integer' && matcher.kind !== 'decimal')) return undefined;
  const numbers = stats.types.get('number') ?? 0;
  const wanted = stats.formats.get(matcher.kind) ?? 0;
  if (numbers === 0 || wanted === numbers) return undefined;
  const other = matcher.kind === 'integer' ? 'decimal' : 'integer';
  return {
    kind: 'type-changed',
    path,
    expected: matcher.kind,
    actual: other,
    recordings: numbers,
    matching: wanted,
    message: `${path} must be ${article(matcher.kind)} (Pact ${matcher.kind} matcher) but is ${article(other)} in ${ofRecordings(numbers - wanted, numbers)}.`,
    fix: `make ${describeField(path)} ${article(other)} number in {at}, or relax its matcher`,
  };
}

function optionality(path: string, stats: PathStats, parentObjects: number): Drift | undefined {
  const absentIn = Math.max(0, parentObjects - stats.present);
  if (absentIn === 0 && stats.partial === 0) return undefined;
  const complete = stats.present - stats.partial;
  return {
    kind: 'field-optional',
    path,
    expected: 'always present',
    actual: 'sometimes absent',
    recordings: parentObjects,
    matching: complete,
    message:
      absentIn > 0
        ? `${path} is absent in ${ofRecordings(absentIn, parentObjects)}: reality treats it as optional.`
        : `${path} is missing from some array items in ${ofRecordings(stats.partial, parentObjects)}: reality treats it as optional.`,
    fix: `add a fixture without ${describeField(path)} next to {at}, so that the code under test meets the case`,
  };
}

function nullability(path: string, fixtureTypes: readonly JsonType[], stats: PathStats): Drift | undefined {
  const nulls = stats.types.get('null') ?? 0;
  if (nulls === 0 || fixtureTypes.includes('null')) return undefined;
  return {
    kind: 'field-nullable',
    path,
    expected: fixtureTypes.join(' | '),
    actual: 'null',
    recordings: stats.present,
    matching: stats.present - nulls,
    message: `${path} is null in ${ofRecordings(nulls, stats.present)}; the fixture never has it null.`,
    fix: `add a fixture where ${describeField(path)} is null next to {at}`,
  };
}

/** Formats are compared for strings only: whether a price is 10 or 9.99 is no drift. */
function formatChange(path: string, fixtureTypes: readonly JsonType[], fixtureFormats: readonly ValueFormat[], stats: PathStats): Drift | undefined {
  if (!fixtureTypes.includes('string')) return undefined;
  const expected = fixtureFormats.find((format) => !format.endsWith('integer') && format !== 'decimal');
  if (!expected) return undefined; // a placeholder such as "abc" pins no format
  const strings = stats.types.get('string') ?? 0;
  const agreeing = stats.formats.get(expected) ?? 0;
  if (strings === 0 || agreeing > 0) return undefined;
  const stringFormats = new Map([...stats.formats].filter(([format]) => format !== 'integer' && format !== 'decimal'));
  const actual = mostCommon(stringFormats) ?? 'text';
  return {
    kind: 'format-changed',
    path,
    expected,
    actual,
    recordings: strings,
    matching: 0,
    message: `${path} is ${article(expected)} in the fixture but ${actual === 'text' ? 'plain text' : article(actual)} in ${ofRecordings(strings, strings)}.`,
    fix: `use ${article(actual === 'text' ? 'plain text' : actual)} value for ${describeField(path)} in {at}`,
  };
}

/** `a string`, `an object`, `an integer`. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** How a field is named in a sentence: its key in backticks, or the path for array items. */
export function describeField(path: string): string {
  const key = lastKey(path);
  return key !== undefined ? `\`${key}\`` : `\`${path}\``;
}
