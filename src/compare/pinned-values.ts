import { diff, type IChange } from 'json-diff-ts';
import type { FixtureInteraction, ValueMatcher } from '../model/fixture.js';
import { itemsPath, lastKey, ROOT_PATH, childPath } from '../model/json-path.js';
import { deeperThan, formatOf, jsonTypeOf, MAX_SHAPE_DEPTH } from '../model/shape.js';
import { ofRecordings, type Drift } from './drift.js';
import { isScalar, valuesAt } from './values-at.js';
import { MockdriftError } from '../model/errors.js';
import { compileSafeRegex, UnsafeRegexError, type SafeRegex } from '../model/safe-regex.js';
import { pathNamesSecret, REDACTED } from '../capture/redactor.js';

export interface PinnedValueOptions {
  /** Paths whose fixture value must be one reality produces (config `enums`). */
  readonly enums: readonly string[];
  readonly ignored: (path: string) => boolean;
}

/** Keys that name identifiers and times: their example values are never pinned. */
const VARYING_KEY = /(?:^id$|_id$|[a-z]Id$|^uuid$|_uuid$|_at$|[a-z]At$|^created$|^updated$|timestamp|token|^etag$|^version$)/i;

/**
 * `value-changed`: values the fixture pins, checked against the sampled recordings. Pinned are
 * values under a value matcher (Pact `regex`, `equality`, `include`), paths named in the config
 * `enums`, and — for fixtures that pin literals (Pact) — scalars with no matcher on them or
 * above them. A literal is held against reality only where reality is constant: an id or a time
 * that differs between recordings is an example, not a contract.
 */
export function pinnedValueDrifts(interaction: FixtureInteraction, samples: readonly unknown[], options: PinnedValueOptions): Drift[] {
  const body = interaction.response.body;
  if (body === undefined || samples.length === 0) return [];
  const drifts: Drift[] = [];
  for (const [path, matcher] of Object.entries(interaction.matchers)) {
    if (options.ignored(path)) continue;
    const drift = matcherDrift(path, matcher, valuesAt(body, path), samples, interaction);
    if (drift) drifts.push(drift);
  }
  for (const path of options.enums) {
    if (options.ignored(path)) continue;
    const drift = enumDrift(path, valuesAt(body, path), samples);
    if (drift) drifts.push(drift);
  }
  if (interaction.pinsLiterals) drifts.push(...literalDrifts(interaction, body, samples, options));
  // Reality stores a secret only redacted: comparing it would echo the fixture's own secret
  // in every report and have `update` write the marker into the fixture.
  return drifts.filter((drift) => !touchesSecret(drift));
}

/** A drift on a secret field (by name, at any level of its path) or one whose reality is a redacted value. */
function touchesSecret(drift: Drift): boolean {
  if (drift.path !== undefined && pathNamesSecret(drift.path)) return true;
  const actual = Array.isArray(drift.actual) ? drift.actual : [drift.actual];
  return actual.some((value) => typeof value === 'string' && value.includes(REDACTED));
}

function matcherDrift(
  path: string,
  matcher: ValueMatcher,
  expected: readonly unknown[],
  samples: readonly unknown[],
  interaction: FixtureInteraction,
): Drift | undefined {
  const test = valueTest(matcher, expected, `${interaction.file}:${interaction.location.lineOf(path)}: ${path} of "${interaction.name}"`);
  if (!test) return undefined;
  let agreeing = 0;
  let violation: unknown;
  let judged = 0;
  for (const sample of samples) {
    // A value the recorder redacted says nothing about the value reality sent.
    const values = valuesAt(sample, path).filter((value) => value !== REDACTED);
    if (values.length === 0) continue; // absence is the shape's business
    judged += 1;
    const bad = values.find((value) => !test.accepts(value));
    if (bad === undefined) agreeing += 1;
    else violation ??= bad;
  }
  if (judged === 0 || agreeing === judged) return undefined;
  return {
    kind: 'value-changed',
    path,
    expected: test.expected,
    // A container is named by its type: it may be nested deeper than JSON.stringify can go.
    actual: isScalar(violation) ? violation : jsonTypeOf(violation),
    recordings: judged,
    matching: agreeing,
    message: `${path} must ${test.describe}; reality has ${isScalar(violation) ? JSON.stringify(violation) : `an ${jsonTypeOf(violation)}`} in ${ofRecordings(judged - agreeing, judged)}.`,
    fix: `change the ${matcher.kind} matcher or the value of \`${lastKey(path) ?? path}\` in {at}`,
  };
}

interface ValueTest {
  readonly expected: unknown;
  readonly describe: string;
  accepts(value: unknown): boolean;
}

function valueTest(matcher: ValueMatcher, expected: readonly unknown[], where: string): ValueTest | undefined {
  switch (matcher.kind) {
    case 'regex': {
      // On RE2: linear in the value whatever the pattern (`^(x+)+y$` cannot hang a check).
      let regex: SafeRegex;
      try {
        regex = compileSafeRegex(`^(?:${matcher.pattern})$`);
      } catch (error) {
        if (!(error instanceof UnsafeRegexError) || !error.message.includes('bounded time')) return undefined;
        throw new MockdriftError(
          'FIXTURE_INVALID',
          `${where}: the regex matcher /${matcher.pattern}/ cannot be checked: ${error.message}. Rewrite it without backreferences and lookarounds.`,
        );
      }
      return { expected: `/${matcher.pattern}/`, describe: `match /${matcher.pattern}/`, accepts: (value) => isScalar(value) && regex.test(String(value)) };
    }
    case 'equality': {
      const example = expected[0];
      if (!isScalar(example)) return undefined;
      return { expected: example, describe: `equal ${JSON.stringify(example)}`, accepts: (value) => value === example };
    }
    case 'include':
      return {
        expected: `containing ${JSON.stringify(matcher.value)}`,
        describe: `contain ${JSON.stringify(matcher.value)}`,
        accepts: (value) => typeof value === 'string' && value.includes(matcher.value),
      };
    default:
      return undefined;
  }
}

function enumDrift(path: string, expected: readonly unknown[], samples: readonly unknown[]): Drift | undefined {
  const pinned = expected.filter(isScalar);
  if (pinned.length === 0) return undefined;
  const seen = new Set<unknown>();
  let judged = 0;
  for (const sample of samples) {
    const values = valuesAt(sample, path).filter(isScalar);
    if (values.length > 0) judged += 1;
    for (const value of values) seen.add(value);
  }
  const unknown = pinned.find((value) => !seen.has(value));
  if (judged === 0 || unknown === undefined) return undefined;
  const produced = [...seen].slice(0, 5);
  return {
    kind: 'value-changed',
    path,
    expected: unknown,
    actual: produced.length === 1 ? produced[0] : produced,
    recordings: judged,
    matching: 0,
    message: `${path} is ${JSON.stringify(unknown)} in the fixture, a value reality never produced in ${ofRecordings(judged, judged)} (it answers ${produced.map((value) => JSON.stringify(value)).join(', ')}).`,
    fix: `use one of ${produced.map((value) => JSON.stringify(value)).join(', ')} for \`${lastKey(path) ?? path}\` in {at}`,
  };
}

/**
 * Literals that every sampled recording answers differently, and with one same value. The
 * value-level differences come from json-diff-ts: each sample is diffed against the fixture body
 * and its UPDATE changes are read as "reality says this instead". Its changeset is walked as a
 * tree, key by key, rather than read from atomised path strings, which do not escape keys
 * (`a.b`, `''`, `0`) and so cannot be mapped back to paths reliably. Bodies nested deeper than
 * shapes are described are not diffed: json-diff-ts recurses, and no literal lives that deep.
 */
function literalDrifts(interaction: FixtureInteraction, body: unknown, samples: readonly unknown[], options: PinnedValueOptions): Drift[] {
  if (deeperThan(body, MAX_SHAPE_DEPTH)) return [];
  const pinned = pinnableLiterals(body, interaction.matchers, options);
  if (pinned.size === 0) return [];
  // path → the values reality answered instead, one entry per sample that differed.
  const replaced = new Map<string, unknown[]>();
  const rootIsObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  let judged = 0;
  for (const sample of samples) {
    if (deeperThan(sample, MAX_SHAPE_DEPTH)) continue;
    judged += 1;
    // diff() may not mutate, but its arrays-by-index walk wants plain data: it gets copies. Only
    // the first item of an array pins anything, and json-diff-ts is quadratic in array length (a
    // 200,000-item array would take minutes): the copies keep first items only.
    const changes = diff(firstItemsOnly(body) as object, firstItemsOnly(sample) as object);
    for (const { path, value } of updatesOf(changes, ROOT_PATH, false, !rootIsObject)) {
      if (!pinned.has(path)) continue;
      const list = replaced.get(path) ?? [];
      list.push(value);
      replaced.set(path, list);
    }
  }
  const drifts: Drift[] = [];
  for (const [path, values] of replaced) {
    const first = values[0];
    // Differing in some samples only, or differently in each: not a pinned value that moved.
    if (values.length < judged || !values.every((value) => value === first)) continue;
    const expected = pinned.get(path);
    drifts.push({
      kind: 'value-changed',
      path,
      expected,
      actual: first,
      recordings: judged,
      matching: 0,
      message: `${path} is pinned to ${JSON.stringify(expected)} by the fixture; reality answers ${JSON.stringify(first)} in ${ofRecordings(judged, judged)}.`,
      fix: `set \`${lastKey(path) ?? path}\` to ${JSON.stringify(first)} in {at}, or give it a type matcher`,
    });
  }
  return drifts;
}

/** A copy of a JSON value in which every array keeps only its first item (the value is at most MAX_SHAPE_DEPTH deep). */
function firstItemsOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [firstItemsOnly(value[0])];
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // Defined, not assigned: a `__proto__` key stays an own data property.
    Object.defineProperty(copy, key, { value: firstItemsOnly((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** Scalar paths of the fixture body that pin their value: no matcher on or above them, not id- or time-like. */
function pinnableLiterals(body: unknown, matchers: Readonly<Record<string, ValueMatcher>>, options: PinnedValueOptions): Map<string, unknown> {
  const pinned = new Map<string, unknown>();
  const stack: Array<{ value: unknown; path: string }> = [{ value: body, path: ROOT_PATH }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (matchers[path] !== undefined || options.ignored(path)) continue; // a matcher covers everything below it
    if (Array.isArray(value)) {
      // Items are compared by index: only the first, the example item, pins anything.
      if (value.length > 0) stack.push({ value: value[0], path: itemsPath(path) });
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) stack.push({ value: (value as Record<string, unknown>)[key], path: childPath(path, key) });
    } else if (value !== null && !looksVarying(path, value)) {
      pinned.set(path, value);
    }
  }
  return pinned;
}

function looksVarying(path: string, value: unknown): boolean {
  const key = lastKey(path) ?? '';
  if (VARYING_KEY.test(key)) return true;
  const format = formatOf(value);
  return format !== undefined && format !== 'integer' && format !== 'decimal';
}

/**
 * The UPDATE changes of a json-diff-ts changeset with our paths: object keys through
 * {@link childPath}, array items (`embeddedKey: '$index'`) as `[*]` whatever their index. A top
 * level array or scalar comes as one change keyed `$root`.
 */
function updatesOf(changes: readonly IChange[], path: string, inArray: boolean, atRoot: boolean): Array<{ path: string; value: unknown }> {
  const updates: Array<{ path: string; value: unknown }> = [];
  for (const change of changes) {
    const here = atRoot && change.key === '$root' ? path : inArray ? itemsPath(path) : childPath(path, change.key);
    // A loop, not push(...): a change list may be as long as an array in a hostile body.
    if (change.changes) for (const update of updatesOf(change.changes, here, change.embeddedKey === '$index', false)) updates.push(update);
    else if (change.type === 'UPDATE') updates.push({ path: here, value: change.value as unknown });
  }
  return updates;
}
