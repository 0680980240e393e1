import { createHash } from 'node:crypto';
import type { FixtureInteraction } from '../model/fixture.js';
import { FINDING_SEVERITY, type Finding, type Report, type ReportInteraction, type Severity } from '../model/finding.js';
import { HOP_BY_HOP_HEADERS } from '../model/headers.js';
import { lastKey } from '../model/json-path.js';
import type { GroupSelector, RecordedGroup } from '../model/recorded-group.js';
import type { RouteTemplate } from '../model/route.js';
import { shapeOf } from '../model/shape.js';
import { aggregateShapes, type AggregateShape } from './aggregate-shape.js';
import { detectRenames } from './detect-renames.js';
import { describeField, diffShape, mostCommon, type FieldCandidate } from './diff-shape.js';
import { ofRecordings, type Drift } from './drift.js';
import type { IgnoreRules } from './ignore-rules.js';
import { matchRecordings, RecordingIndex } from './match-recordings.js';
import { canonicalWords } from './name-similarity.js';
import { pinnedValueDrifts } from './pinned-values.js';
import { exampleBody, specFixtureDrifts } from './schema-drifts.js';
import { matchSpecRecordings } from './match-spec-recordings.js';
import { specTemplates, unlistedStatusDrifts } from './spec-routes.js';
import { placeInTime, type DriftTimes, type NearestRecording } from './timeline.js';

/** What a check compares fixtures with. */
export interface Recordings {
  readonly groups: readonly RecordedGroup[];
  /** The newest parsed JSON bodies of one group (asked for only when values are needed). */
  samples(selector: GroupSelector): readonly unknown[];
  /** When one of some shapes was seen nearest to a time (see RecordingStore.nearestRecordingOf); optional. */
  readonly nearestRecordingOf?: NearestRecording;
}

export interface CheckOptions {
  /** Route templates from the config. Default: none. */
  readonly templates?: readonly RouteTemplate[];
  readonly ignore?: IgnoreRules;
  /** Paths whose fixture values must be ones reality produces. Default: none. */
  readonly enums?: readonly string[];
  /** `stale-recording` when the newest matching recording is older than this, in ms. Default: never. */
  readonly maxAgeMs?: number;
  /** Report unverified fixtures as breaking. Default: false. */
  readonly requireCoverage?: boolean;
  /** The time of the check, ms since the epoch. Default: now. */
  readonly now?: number;
}

/** Response headers whose presence says nothing about the API. */
const INCIDENTAL_HEADERS = new Set([...HOP_BY_HOP_HEADERS, 'date', 'content-length', 'content-encoding', 'vary', 'server', 'etag', 'age']);

/**
 * Compares every fixture interaction with the recordings that answer the same request and
 * returns the report: pure — the recordings come in as data (and a way to read a few bodies).
 */
export function checkFixtures(interactions: readonly FixtureInteraction[], recordings: Recordings, options: CheckOptions = {}): Report {
  const findings: Finding[] = [];
  const checked: ReportInteraction[] = [];
  let verified = 0;
  const index = new RecordingIndex(recordings.groups, [...(options.templates ?? []), ...specTemplates(interactions)]);
  for (const interaction of interactions) {
    const result = checkInteraction(interaction, recordings, index, options);
    if (result.verified) verified += 1;
    findings.push(...result.findings);
    checked.push({
      fixture: interaction.file,
      line: interaction.location.line,
      interaction: interaction.name,
      service: result.service,
      route: result.route,
      status: interaction.response.status,
      verified: result.verified,
    });
  }
  findings.sort((a, b) => a.fixture.localeCompare(b.fixture) || a.line - b.line || rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  const count = (severity: Severity): number => findings.filter((finding) => finding.severity === severity).length;
  return {
    version: 1,
    summary: {
      fixtures: interactions.length,
      verified,
      unverified: interactions.length - verified,
      breaking: count('breaking'),
      warning: count('warning'),
      info: count('info'),
    },
    findings,
    interactions: checked,
  };
}

function rank(severity: Severity): number {
  return severity === 'breaking' ? 0 : severity === 'warning' ? 1 : 2;
}

function checkInteraction(
  interaction: FixtureInteraction,
  recordings: Recordings,
  index: RecordingIndex,
  options: CheckOptions,
): { verified: boolean; route: string; service: string | null; findings: Finding[] } {
  const match = interaction.operation ? matchSpecRecordings(interaction, index) : matchRecordings(interaction, index);
  const operationDrifts = unlistedStatusDrifts(interaction, index);
  if (match.kind === 'unverified') {
    const drift: Drift = {
      kind: 'unverified',
      recordings: 0,
      matching: 0,
      message: `Nothing to compare with: ${match.reason}.`,
      fix: `record traffic for ${match.route} (mockdrift record, or mockdrift probe)`,
    };
    return {
      verified: false,
      route: match.route,
      service: match.service,
      findings: [drift, ...operationDrifts].map((one) => toFinding(interaction, one, match.route, match.service, null, options)),
    };
  }

  const { groups, route } = match;
  const total = sum(groups);
  const lastSeen = Math.max(...groups.map((group) => group.lastSeen));
  const ignored = (path: string): boolean => options.ignore?.ignores(path, route) ?? false;
  let samples: readonly unknown[] | undefined;
  const sampleBodies = (): readonly unknown[] =>
    (samples ??= groups.flatMap((group) =>
      recordings.samples({ service: group.service, method: group.method, route: group.route, status: group.status, queryNames: group.queryNames }),
    ));

  const drifts: Drift[] = [...operationDrifts];
  if (match.statusChanged) {
    const { expected, actual } = match.statusChanged;
    const routeTotal = sum(match.routeGroups);
    drifts.push({
      kind: 'status-changed',
      expected,
      actual,
      recordings: routeTotal,
      matching: 0,
      message: `The fixture answers ${expected}; ${route} answered ${actual} in ${ofRecordings(total, routeTotal)} and never ${expected}.`,
      fix: `change the status to ${actual} in {at}`,
    });
  }
  if (options.maxAgeMs !== undefined && (options.now ?? Date.now()) - lastSeen > options.maxAgeMs) {
    drifts.push({
      kind: 'stale-recording',
      expected: `newer than ${Math.round(options.maxAgeMs / 3_600_000)}h`,
      actual: new Date(lastSeen).toISOString(),
      recordings: total,
      matching: 0,
      message: `The newest recording of ${route} is from ${new Date(lastSeen).toISOString()}, older than --max-age.`,
      fix: `record ${route} again (mockdrift record, or mockdrift probe)`,
    });
  }

  const contentDrift = contentTypeDrift(interaction, groups);
  if (contentDrift) drifts.push(contentDrift);
  drifts.push(...headerDrifts(interaction, groups));
  if (!contentDrift && interaction.response.body !== undefined) {
    const jsonGroups = groups.filter((group) => group.shapes.length > 0);
    const reality = aggregateShapes(jsonGroups.flatMap((group) => group.shapes));
    if (reality.recordings > 0) drifts.push(...bodyDrifts(interaction, reality, ignored, sampleBodies));
    drifts.push(...pinnedValueDrifts(interaction, interaction.pinsLiterals || hasValueMatchers(interaction) || (options.enums?.length ?? 0) > 0 ? sampleBodies() : [], {
      enums: options.enums ?? [],
      ignored,
    }));
  } else if (!contentDrift && interaction.response.schema) {
    const reality = aggregateShapes(groups.flatMap((group) => group.shapes));
    if (reality.recordings > 0) drifts.push(...specFixtureDrifts(interaction.response.schema, reality, { ignored, samples: sampleBodies }));
    // Examples are compared only where the config pins the path (`enums`).
    const examples = (options.enums?.length ?? 0) > 0 ? exampleBody(interaction.response.schema) : undefined;
    if (examples !== undefined) {
      const pinned = { ...interaction, response: { ...interaction.response, body: examples }, matchers: {}, pinsLiterals: false };
      drifts.push(...pinnedValueDrifts(pinned, sampleBodies(), { enums: options.enums ?? [], ignored }));
    }
  }
  const timed = placeInTime(drifts, {
    body: interaction.response.body,
    groups,
    ignored,
    matchers: interaction.matchers,
    samples: sampleBodies,
    ...(recordings.nearestRecordingOf ? { nearest: recordings.nearestRecordingOf } : {}),
  });
  return { verified: true, route, service: match.service, findings: timed.map((drift) => toFinding(interaction, drift, route, match.service, lastSeen, options)) };
}

function hasValueMatchers(interaction: FixtureInteraction): boolean {
  return Object.values(interaction.matchers).some((matcher) => matcher.kind === 'regex' || matcher.kind === 'equality' || matcher.kind === 'include');
}

function sum(groups: readonly RecordedGroup[]): number {
  return groups.reduce((total, group) => total + group.count, 0);
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$|^text\/json$/;

function contentTypeDrift(interaction: FixtureInteraction, groups: readonly RecordedGroup[]): Drift | undefined {
  const expected = interaction.response.contentType;
  if (expected === null) return undefined;
  const counts = new Map<string, number>();
  for (const group of groups) if (group.contentType !== null) counts.set(group.contentType, (counts.get(group.contentType) ?? 0) + group.count);
  if (counts.size === 0) return undefined;
  const agrees = (type: string): boolean => (JSON_TYPE.test(expected) ? JSON_TYPE.test(type) : type === expected);
  const agreeing = [...counts].filter(([type]) => agrees(type)).reduce((total, [, count]) => total + count, 0);
  if (agreeing > 0) return undefined;
  const actual = mostCommon(counts)!;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    kind: 'content-type-changed',
    expected,
    actual,
    recordings: total,
    matching: 0,
    message: `The fixture answers ${expected}; reality answered ${actual} in ${ofRecordings(counts.get(actual)!, total)}.`,
    fix: `answer ${actual} in {at}, with a body of that type`,
  };
}

function headerDrifts(interaction: FixtureInteraction, groups: readonly RecordedGroup[]): Drift[] {
  const total = sum(groups);
  const drifts: Drift[] = [];
  for (const name of Object.keys(interaction.response.headers)) {
    if (INCIDENTAL_HEADERS.has(name) || name === 'content-type') continue;
    const seen = groups.reduce((count, group) => count + (group.headers.get(name) ?? 0), 0);
    if (seen > 0) continue;
    drifts.push({
      kind: 'header-missing',
      path: `headers.${name}`,
      expected: 'present',
      actual: 'absent',
      recordings: total,
      matching: 0,
      message: `The fixture sends the header ${name}; none of ${total} recording${total === 1 ? '' : 's'} has it.`,
      fix: `remove the ${name} header from {at}, or stop relying on it`,
    });
  }
  return drifts;
}

function bodyDrifts(
  interaction: FixtureInteraction,
  reality: AggregateShape,
  ignored: (path: string) => boolean,
  samples: () => readonly unknown[],
): Drift[] {
  const body = interaction.response.body;
  const diff = diffShape(shapeOf(body), reality, { ignored, matchers: interaction.matchers });
  const renames = detectRenames(diff.missing, diff.added, body, samples);
  const renamedFrom = new Set(renames.map((rename) => rename.from.path));
  const renamedTo = new Set(renames.map((rename) => rename.to.path));
  const drifts = [...diff.drifts];

  for (const { from, to, sameValue } of renames) {
    drifts.push({
      kind: 'field-renamed',
      path: from.path,
      to: to.path,
      expected: from.types.join(' | ') || 'null',
      actual: 'absent',
      recordings: from.recordings,
      matching: 0,
      message:
        `${from.path} is in none of ${from.recordings} recording${from.recordings === 1 ? '' : 's'}; ` +
        `they have ${to.path} (${to.types.join(' | ')}) instead${sameValue ? ', with the same value' : ''}.`,
      fix: `rename ${describeField(from.path)} to ${describeField(to.path)} in {at}`,
    });
  }
  for (const field of diff.missing) {
    if (renamedFrom.has(field.path)) continue;
    const moved = movedTo(field, reality, body);
    drifts.push({
      kind: 'field-missing',
      path: field.path,
      expected: field.types.join(' | ') || 'null',
      actual: 'absent',
      recordings: field.recordings,
      matching: 0,
      message:
        `${field.path} is in the fixture but in none of ${field.recordings} recording${field.recordings === 1 ? '' : 's'}` +
        (moved ? `; reality has ${moved} (moved?).` : '.'),
      fix: moved ? `move ${describeField(field.path)} to ${moved} in {at}` : `remove ${describeField(field.path)} from {at}, and the code that reads it`,
    });
  }
  for (const field of diff.added) {
    if (renamedTo.has(field.path)) continue;
    drifts.push({
      kind: 'field-added',
      path: field.path,
      expected: 'absent',
      actual: field.types.join(' | ') || 'null',
      recordings: reality.recordings,
      matching: reality.recordings - field.recordings,
      message: `Reality has ${field.path} (${field.types.join(' | ') || 'null'}) in ${ofRecordings(field.recordings, reality.recordings)}; the fixture does not.`,
      fix: `add ${describeField(field.path)} to {at} if the code under test reads it`,
    });
  }
  return drifts;
}

/** A path elsewhere in reality that carries the missing field's name: where it may have moved. */
function movedTo(field: FieldCandidate, reality: AggregateShape, body: unknown): string | undefined {
  const wanted = canonicalWords(field.key).join('_');
  for (const [path, stats] of reality.paths) {
    if (stats.present === 0 || path === field.path) continue;
    const key = lastKey(path);
    if (key === undefined || canonicalWords(key).join('_') !== wanted) continue;
    // Only where the fixture has nothing: a field the fixture already has elsewhere did not move.
    if (Object.hasOwn(shapeOf(body), path)) continue;
    return path;
  }
  return undefined;
}

export function toFinding(
  interaction: FixtureInteraction,
  drift: Drift & DriftTimes,
  route: string,
  service: string | null,
  lastSeen: number | null,
  options: CheckOptions,
): Finding {
  const line = drift.line ?? (drift.path && !drift.path.startsWith('headers.') ? interaction.location.lineOf(drift.path) : interaction.location.line);
  const at = `${interaction.file}:${line}`;
  const severity: Severity = drift.kind === 'unverified' && options.requireCoverage ? 'breaking' : (drift.severity ?? FINDING_SEVERITY[drift.kind]);
  const id = createHash('sha1')
    .update([drift.kind, interaction.file, String(interaction.index), drift.path ?? '', drift.to ?? ''].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
  return {
    id,
    kind: drift.kind,
    severity,
    fixture: interaction.file,
    line,
    interaction: interaction.name,
    service,
    route,
    status: interaction.response.status,
    ...(drift.path !== undefined ? { path: drift.path } : {}),
    ...(drift.to !== undefined ? { to: drift.to } : {}),
    ...(drift.expected !== undefined ? { expected: drift.expected } : {}),
    ...(drift.actual !== undefined ? { actual: drift.actual } : {}),
    evidence: { recordings: drift.recordings, matching: drift.matching, lastSeen: lastSeen === null ? null : new Date(lastSeen).toISOString() },
    message: drift.message,
    ...(drift.fix !== undefined ? { fix: drift.fix.replaceAll('{at}', at) } : {}),
    ...(drift.since !== undefined ? { since: drift.since } : {}),
    ...(drift.lastAgreed !== undefined ? { lastAgreed: drift.lastAgreed } : {}),
    ...(drift.timeline !== undefined ? { timeline: drift.timeline } : {}),
  };
}
