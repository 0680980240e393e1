import type { FindingTimeline, TimeSpan } from '../model/finding.js';
import type { ValueMatcher } from '../model/fixture.js';
import { lastKey, parentPath } from '../model/json-path.js';
import type { GroupSelector, RecordedGroup } from '../model/recorded-group.js';
import { shapeOf, type BodyShape, type JsonType } from '../model/shape.js';
import { aggregateShapes } from './aggregate-shape.js';
import { detectRenames } from './detect-renames.js';
import { describeField, diffShape } from './diff-shape.js';
import type { Drift } from './drift.js';
import { canonicalWords } from './name-similarity.js';

/**
 * Recordings on each side of a removal needed before a field that vanished for good is reported
 * as removed rather than optional: fewer could be chance.
 */
export const MIN_RECORDINGS_EACH_SIDE = 3;

/** How many spans of each kind a finding's timeline keeps (the most frequent shapes): enough to draw. */
const MAX_SPANS = 50;

/** The store's answer to "when was one of these shapes seen nearest to this time" (see RecordingStore.nearestRecordingOf). */
export type NearestRecording = (selector: GroupSelector, shapes: readonly BodyShape[], time: number, direction: 'after' | 'before') => number | null;

/** What placing drifts in time needs besides the drifts. */
export interface TimelineContext {
  /** The fixture's response body. */
  readonly body: unknown;
  /** The groups of recordings the interaction was compared with. */
  readonly groups: readonly RecordedGroup[];
  readonly ignored: (path: string) => boolean;
  readonly matchers: Readonly<Record<string, ValueMatcher>>;
  /** The newest recorded bodies (for telling a rename by equal values). */
  readonly samples: () => readonly unknown[];
  /** Exact times where agreeing and drifting shapes were seen in turns; without it such a `since` is left out. */
  readonly nearest?: NearestRecording;
}

/** Time facts of one drift. */
export interface DriftTimes {
  readonly since?: string;
  readonly lastAgreed?: string;
  readonly timeline?: FindingTimeline;
}

/** One distinct shape of one group, with when it was seen. */
interface Seen {
  readonly group: RecordedGroup;
  readonly shape: BodyShape;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

type Verdict = 'agrees' | 'drifts' | undefined;

/**
 * Places body-path drifts in time, from the first and last time each recorded shape was seen:
 * `since` (the first recording showing the drift after the last that agreed) and `lastAgreed`.
 * And tells removal from optionality: a field the fixture has that was in every recording up to
 * some time and in none after it — with {@link MIN_RECORDINGS_EACH_SIDE} recordings on each
 * side — was removed or renamed then; its `field-optional` becomes `field-renamed` or
 * `field-missing`. Pure apart from the `nearest` question, which the store answers from an index.
 * @returns the drifts, each with its time facts where the shapes can tell them.
 */
export function placeInTime(drifts: readonly Drift[], context: TimelineContext): Array<Drift & DriftTimes> {
  const seen = seenShapes(context.groups);
  if (seen === undefined) return [...drifts];
  const fixture = shapeOf(context.body);
  let result: Array<Drift & DriftTimes> = [...drifts];
  for (const drift of drifts) {
    if (drift.kind !== 'field-optional' || drift.path === undefined) continue;
    const removal = removalOf(drift.path, seen, fixture, context);
    if (!removal) continue;
    result = result.flatMap((other) => {
      if (other === drift) return [removal];
      // A field-added for the new name is the same change, told once as the rename.
      if (removal.to !== undefined && other.kind === 'field-added' && other.path === removal.to) return [];
      return [other];
    });
  }
  return result.map((drift) => {
    if (drift.since !== undefined || drift.path === undefined || !drift.path.startsWith('$')) return drift;
    const times = timesOf(drift, seen, fixture, context.nearest);
    return times ? { ...drift, ...times } : drift;
  });
}

/** Every shape with its times; undefined when the store could not tell the times. */
function seenShapes(groups: readonly RecordedGroup[]): Seen[] | undefined {
  const seen: Seen[] = [];
  for (const group of groups) {
    for (const { shape, count, firstSeen, lastSeen } of group.shapes) {
      if (firstSeen === undefined || lastSeen === undefined) return undefined;
      seen.push({ group, shape, count, firstSeen, lastSeen });
    }
  }
  return seen;
}

/** Whether one recorded shape agrees with the fixture on the drift's point; undefined when it says nothing about it. */
function verdictOf(drift: Drift, path: string, shape: BodyShape, fixture: BodyShape): Verdict {
  const facts = shape[path];
  switch (drift.kind) {
    case 'field-missing':
    case 'field-renamed':
    case 'field-optional':
      if (!parentIsObject(path, shape)) return undefined;
      return facts && !facts.partial ? 'agrees' : 'drifts';
    case 'field-added':
      if (!parentIsObject(path, shape)) return undefined;
      return facts ? 'drifts' : 'agrees';
    case 'field-nullable':
      if (!facts) return undefined;
      return facts.types.includes('null') ? 'drifts' : 'agrees';
    case 'type-changed': {
      if (!facts) return undefined;
      if (drift.expected === 'integer' || drift.expected === 'decimal') {
        if (!facts.types.includes('number')) return undefined;
        const other = drift.expected === 'integer' ? 'decimal' : 'integer';
        return facts.formats?.includes(other) ? 'drifts' : 'agrees';
      }
      const wanted = nonNull(fixture[path]?.types ?? []);
      const actual = nonNull(facts.types);
      if (actual.length === 0) return undefined;
      return actual.some((type) => wanted.includes(type)) ? 'agrees' : 'drifts';
    }
    case 'format-changed':
      if (!facts || !facts.types.includes('string')) return undefined;
      return facts.formats?.includes(drift.expected as never) ? 'agrees' : 'drifts';
    default:
      return undefined;
  }
}

function parentIsObject(path: string, shape: BodyShape): boolean {
  const parent = parentPath(path);
  if (parent === undefined) return false;
  return shape[parent]?.types.includes('object') ?? false;
}

function nonNull(types: readonly JsonType[]): JsonType[] {
  return types.filter((type) => type !== 'null');
}

/** since / lastAgreed / timeline of one drift from the shapes' verdicts. */
function timesOf(drift: Drift, seen: readonly Seen[], fixture: BodyShape, nearest: NearestRecording | undefined): DriftTimes | undefined {
  const path = drift.path!;
  const agreeing: Seen[] = [];
  const drifting: Seen[] = [];
  for (const entry of seen) {
    const verdict = verdictOf(drift, path, entry.shape, fixture);
    if (verdict === 'agrees') agreeing.push(entry);
    else if (verdict === 'drifts') drifting.push(entry);
  }
  if (drifting.length === 0) return undefined;
  const timeline = { agreed: spans(agreeing), drifted: spans(drifting) };
  const firstDrift = earliest(drifting);
  const lastDrift = latest(drifting);
  const lastAgreement = agreeing.length === 0 ? null : latest(agreeing);
  if (lastAgreement === null) return { since: `before ${iso(firstDrift)}`, timeline };

  if (lastDrift > lastAgreement) {
    // Reality drifts now: since is the first drifting recording after the last agreement.
    const since = nearestOf(drifting, lastAgreement, 'after', nearest);
    return { ...(since !== null ? { since: iso(since) } : {}), lastAgreed: iso(lastAgreement), timeline };
  }
  // The newest recording agrees: the drift comes and goes. It began with the first drifting recording.
  const agreedBefore = nearestOf(agreeing, firstDrift, 'before', nearest);
  return agreedBefore === null ? { since: `before ${iso(firstDrift)}`, timeline } : { since: iso(firstDrift), lastAgreed: iso(agreedBefore), timeline };
}

/**
 * The time of the recording among `entries` nearest to `time` (first after, last before). A shape
 * seen only on the asked side gives its own first (last) time; one seen on both sides of `time`
 * needs the store's exact answer.
 */
function nearestOf(entries: readonly Seen[], time: number, direction: 'after' | 'before', nearest: NearestRecording | undefined): number | null {
  let best: number | null = null;
  const better = (candidate: number): void => {
    if (best === null || (direction === 'after' ? candidate < best : candidate > best)) best = candidate;
  };
  const straddling = new Map<RecordedGroup, BodyShape[]>();
  for (const entry of entries) {
    if (direction === 'after' ? entry.firstSeen > time : entry.lastSeen < time) better(direction === 'after' ? entry.firstSeen : entry.lastSeen);
    else if (direction === 'after' ? entry.lastSeen > time : entry.firstSeen < time) {
      const shapes = straddling.get(entry.group) ?? [];
      shapes.push(entry.shape);
      straddling.set(entry.group, shapes);
    }
  }
  for (const [group, shapes] of straddling) {
    if (!nearest) return null; // an inexact since would mislead; say nothing instead
    const found = nearest({ service: group.service, method: group.method, route: group.route, status: group.status, queryNames: group.queryNames }, shapes, time, direction);
    if (found !== null) better(found);
  }
  return best;
}

/** The spans of the most frequent shapes, oldest first. */
function spans(entries: readonly Seen[]): TimeSpan[] {
  return [...entries]
    .sort((a, b) => b.count - a.count)
    .slice(0, MAX_SPANS)
    .map((entry) => ({ first: entry.firstSeen, last: entry.lastSeen, count: entry.count }))
    .sort((a, b) => a.first - b.first);
}

/**
 * A field-optional that is really a removal: present in every recording up to a time, in none
 * after, with enough recordings on each side. Reported as a rename when the recordings after
 * the cut carry the field under another name, else as missing (naming where it may have moved).
 */
function removalOf(path: string, seen: readonly Seen[], fixture: BodyShape, context: TimelineContext): (Drift & DriftTimes) | undefined {
  const present: Seen[] = [];
  const absent: Seen[] = [];
  for (const entry of seen) {
    if (!parentIsObject(path, entry.shape)) continue;
    const facts = entry.shape[path];
    if (facts?.partial) return undefined; // missing from some array items: optionality, not a removal
    (facts ? present : absent).push(entry);
  }
  if (present.length === 0 || absent.length === 0) return undefined;
  const lastPresent = latest(present);
  const cut = earliest(absent);
  const before = present.reduce((total, entry) => total + entry.count, 0);
  const after = absent.reduce((total, entry) => total + entry.count, 0);
  if (lastPresent >= cut || before < MIN_RECORDINGS_EACH_SIDE || after < MIN_RECORDINGS_EACH_SIDE) return undefined;

  const since = iso(cut);
  const times: DriftTimes = { since, lastAgreed: iso(lastPresent), timeline: { agreed: spans(present), drifted: spans(absent) } };
  const history = `${path} was in all ${before} recording${before === 1 ? '' : 's'} up to ${iso(lastPresent)} and is in none of the ${after} since ${since}`;
  const expected = nonNull(fixture[path]?.types ?? []).join(' | ') || 'null';
  const common = { path, expected, actual: 'absent', recordings: before + after, matching: before } as const;

  // Reality after the cut: what the field became, judged on those recordings alone.
  const now = aggregateShapes(seen.filter((entry) => entry.lastSeen >= cut));
  const diff = diffShape(fixture, now, { ignored: context.ignored, matchers: context.matchers });
  const rename = detectRenames(
    diff.missing.filter((field) => field.path === path),
    diff.added,
    context.body,
    context.samples,
  ).find((pair) => pair.from.path === path);
  if (rename) {
    return {
      ...common,
      ...times,
      kind: 'field-renamed',
      to: rename.to.path,
      message: `${history}; they have ${rename.to.path} (${rename.to.types.join(' | ')}) instead${rename.sameValue ? ', with the same value' : ''}.`,
      fix: `rename ${describeField(path)} to ${describeField(rename.to.path)} in {at}`,
    };
  }
  const moved = movedTo(path, now.paths.keys(), fixture);
  return {
    ...common,
    ...times,
    kind: 'field-missing',
    message: `${history}: it was removed${moved ? `; reality has ${moved} (moved?)` : ''}.`,
    fix: moved ? `move ${describeField(path)} to ${moved} in {at}` : `remove ${describeField(path)} from {at}, and the code that reads it`,
  };
}

/** A path of reality, not in the fixture, that carries the field's name under another parent. */
function movedTo(path: string, paths: Iterable<string>, fixture: BodyShape): string | undefined {
  const key = lastKey(path);
  if (key === undefined) return undefined;
  const wanted = canonicalWords(key).join('_');
  for (const candidate of paths) {
    if (candidate === path || Object.hasOwn(fixture, candidate)) continue;
    const other = lastKey(candidate);
    if (other !== undefined && canonicalWords(other).join('_') === wanted) return candidate;
  }
  return undefined;
}

/** The first time any of `entries` was seen (a loop: no spreading of a long list into arguments). */
function earliest(entries: readonly Seen[]): number {
  return entries.reduce((time, entry) => Math.min(time, entry.firstSeen), Infinity);
}

function latest(entries: readonly Seen[]): number {
  return entries.reduce((time, entry) => Math.max(time, entry.lastSeen), -Infinity);
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
