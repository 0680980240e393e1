import { createHash } from 'node:crypto';
import { Redactor } from '../capture/redactor.js';
import type { FixtureInteraction } from '../model/fixture.js';
import { FINDING_SEVERITY, type Finding, type Report, type ReportInteraction, type Severity } from '../model/finding.js';
import { HOP_BY_HOP_HEADERS } from '../model/headers.js';
import { lastKey } from '../model/json-path.js';
import type { GroupSelector, RecordedGroup, RecordedRequest, RequestSelector, UnreadableReason } from '../model/recorded-group.js';
import type { RouteTemplate } from '../model/route.js';
import { shapeOf } from '../model/shape.js';
import { aggregateShapes, type AggregateShape } from './aggregate-shape.js';
import { detectRenames } from './detect-renames.js';
import { describeField, diffShape, mostCommon, type FieldCandidate } from './diff-shape.js';
import { ofRecordings, type Drift } from './drift.js';
import type { IgnoreRules } from './ignore-rules.js';
import { matchRecordings, RecordingIndex, type RequestLookup, type StatusChange } from './match-recordings.js';
import { detectMoves } from './detect-moves.js';
import { groupFindings } from './group-findings.js';
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
  /**
   * The recorded requests of one stored route (asked for once per route): lets a fixture be
   * compared with its own request first. Default: none (fixtures are compared by route only).
   */
  requests?(selector: RequestSelector): readonly RecordedRequest[];
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
  /**
   * Response headers that matter even when a recorder captured them incidentally (lower-case),
   * besides `content-type` and `location`. Default: none.
   */
  readonly headers?: readonly string[];
}

/**
 * Formats whose response headers someone wrote on purpose. Recorders (nock, HAR/Polly, VCR-style
 * cassettes) capture every header the server sent: a missing one is at most info there.
 */
const DECLARED_HEADER_FORMATS: ReadonlySet<string> = new Set(['native', 'pact', 'wiremock']);
/** Headers that change what a response means, wherever they were written down. */
const MEANINGFUL_HEADERS: ReadonlySet<string> = new Set(['content-type', 'location']);
/** Statuses that have no body, so no body type. */
const BODILESS_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);


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
  const requestsOf = requestLookup(recordings);
  for (const interaction of interactions) {
    const result = checkInteraction(interaction, recordings, index, options, requestsOf);
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
      // The fixture's body is shown beside a recorded one: its own secrets are redacted as the recorded one's were.
      ...(result.recordedBody !== undefined ? { fixtureBody: fixtureRedactor().redactJson(interaction.response.body).value, recordedBody: result.recordedBody } : {}),
    });
  }
  findings.sort((a, b) => a.fixture.localeCompare(b.fixture) || a.line - b.line || rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  groupFindings(findings);
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

/**
 * The store's recorded requests: of a whole route (read once per stored route of a check), or of
 * one concrete path (a few rows through the path index).
 */
function requestLookup(recordings: Recordings): RequestLookup | undefined {
  const read = recordings.requests?.bind(recordings);
  if (!read) return undefined;
  const cache = new Map<string, readonly RecordedRequest[]>();
  return (groups, path) => {
    const out: RecordedRequest[] = [];
    const seen = new Set<string>();
    const routes = new Set(groups.map((group) => group.route));
    for (const group of groups) {
      const key = JSON.stringify(path === undefined ? [group.service, group.method, group.route] : [group.service, group.method, '', path]);
      if (seen.has(key)) continue;
      seen.add(key);
      let requests = cache.get(key);
      if (!requests) {
        requests = read(path === undefined ? { service: group.service, method: group.method, route: group.route } : { service: group.service, method: group.method, path });
        cache.set(key, requests);
      }
      // By path, only the recordings of the routes being compared (a path may have been stored under another template).
      for (const request of requests) if (path === undefined || routes.has(request.route)) out.push(request);
    }
    return out;
  };
}

let redactor: Redactor | undefined;

/** The default redaction rules, for fixture bodies shown in reports (built once, on first use). */
function fixtureRedactor(): Redactor {
  return (redactor ??= new Redactor());
}

function rank(severity: Severity): number {
  return severity === 'breaking' ? 0 : severity === 'warning' ? 1 : 2;
}

function checkInteraction(
  interaction: FixtureInteraction,
  recordings: Recordings,
  index: RecordingIndex,
  options: CheckOptions,
  requestsOf: RequestLookup | undefined,
): { verified: boolean; route: string; service: string | null; findings: Finding[]; recordedBody?: unknown } {
  const match = interaction.operation ? matchSpecRecordings(interaction, index) : matchRecordings(interaction, index, requestsOf);
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
  let lastSeen = 0;
  for (const group of groups) lastSeen = Math.max(lastSeen, group.lastSeen);
  const ignored = (path: string): boolean => options.ignore?.ignores(path, route) ?? false;
  let samples: readonly unknown[] | undefined;
  const sampleBodies = (): readonly unknown[] =>
    (samples ??= groups.flatMap((group) =>
      recordings.samples({ service: group.service, method: group.method, route: group.route, status: group.status, queryNames: group.queryNames }),
    ));
  const finish = (drifts: readonly Drift[], verified: boolean): { verified: boolean; route: string; service: string | null; findings: Finding[]; recordedBody?: unknown } => {
    // A reviewer wants to see both bodies where the body drifted: one recorded body goes along.
    const bodyDrift = drifts.some((drift) => drift.path?.startsWith('$') && (drift.severity ?? FINDING_SEVERITY[drift.kind]) !== 'info');
    const recordedBody = bodyDrift && interaction.response.body !== undefined ? sampleBodies()[0] : undefined;
    return {
      verified,
      route,
      service: match.service,
      findings: (interaction.response.body === undefined ? [...drifts] : placeInTime(drifts, {
        body: interaction.response.body,
        groups,
        ignored,
        matchers: interaction.matchers,
        samples: sampleBodies,
        ...(recordings.nearestRecordingOf ? { nearest: recordings.nearestRecordingOf } : {}),
      })).map((drift) => toFinding(interaction, drift, route, match.service, lastSeen, options)),
      ...(recordedBody !== undefined ? { recordedBody } : {}),
    };
  };

  const drifts: Drift[] = [...operationDrifts];
  if (match.statusChanged) drifts.push(statusDrift(match.statusChanged, route, match.scope, interaction));
  if (!match.compareBody) return finish(drifts, true);
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
  const oldFixture = staleFixtureDrift(interaction, options, total);
  if (oldFixture) drifts.push(oldFixture);

  const contentDrift = contentTypeDrift(interaction, groups);
  if (contentDrift) drifts.push(contentDrift);
  drifts.push(...headerDrifts(interaction, groups, options));
  if (!contentDrift && interaction.response.body !== undefined) {
    const jsonGroups = groups.filter((group) => group.shapes.length > 0);
    const reality = aggregateShapes(jsonGroups.flatMap((group) => group.shapes));
    if (reality.recordings === 0) {
      // Nothing readable to hold the fixture's body against: never agreement.
      const unreadable = unreadableCounts(groups);
      if (unreadable.total > 0) {
        drifts.push(unreadableDrift(unreadable, total, route));
        return finish(drifts, false);
      }
      const empty = groups.reduce((count, group) => count + (group.empty ?? 0), 0);
      const bodyDrift = emptyBodyDrift(interaction, empty, total);
      if (bodyDrift) drifts.push(bodyDrift);
    } else {
      drifts.push(...bodyDrifts(interaction, reality, ignored, sampleBodies));
    }
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
  return finish(drifts, true);
}

/**
 * A cassette says when it was recorded (VCR's `recorded_at`): one older than `--max-age` is
 * reported as stale even when reality still agrees with it, so that old mocks get re-recorded.
 */
function staleFixtureDrift(interaction: FixtureInteraction, options: CheckOptions, recordings: number): Drift | undefined {
  if (options.maxAgeMs === undefined || interaction.recordedAt === undefined) return undefined;
  const recordedAt = Date.parse(interaction.recordedAt);
  if (!Number.isFinite(recordedAt) || (options.now ?? Date.now()) - recordedAt <= options.maxAgeMs) return undefined;
  const when = new Date(recordedAt).toISOString();
  return {
    kind: 'stale-recording',
    expected: `recorded within ${Math.round(options.maxAgeMs / 3_600_000)}h`,
    actual: when,
    recordings,
    matching: 0,
    message: `The fixture itself was recorded at ${when} (its recorded_at), longer ago than --max-age.`,
    fix: `record the fixture again (re-run its test with recording on), or update it with mockdrift update, then refresh {at}`,
  };
}

function statusDrift(change: StatusChange, route: string, scope: 'request' | 'route', interaction: FixtureInteraction): Drift {
  const { expected, actual, seen, reason } = change;
  const total = seen.reduce((count, entry) => count + entry.count, 0);
  const actualCount = seen.find((entry) => entry.status === actual)?.count ?? 0;
  const statuses = seen.map((entry) => `${entry.status} (${entry.count})`).join(', ');
  const request = `${interaction.request.method} ${interaction.request.path ?? route}`;
  const message =
    reason === 'exact'
      ? `The fixture answers ${expected}; its very request (${request}, same query and body) was answered ${actual} in ${ofRecordings(actualCount, total)}, never ${expected}. Statuses seen: ${statuses}.`
      : reason === 'errors'
        ? `The fixture answers ${expected}; ${route} answered only errors, never a success: ${actual} in ${ofRecordings(actualCount, total)}. Statuses seen: ${statuses}.`
        : `The fixture answers ${expected}; ${route} answered ${actual} in ${ofRecordings(actualCount, total)} and never ${expected}. Statuses seen: ${statuses}.`;
  let fix = `change the status to ${actual} in {at}`;
  let cause = '';
  const refused = (actual === 401 || actual === 403) && expected !== 401 && expected !== 403;
  if (refused) {
    // An expired or missing sandbox token, far more often than an API that changed its mind.
    cause = ` The sandbox refused the credentials (${actual}): the recording says nothing about the fixture's body.`;
    fix = `the sandbox refused the credentials (${actual}): renew the token or key the recorder sends and record ${route} again; change the status in {at} only if the API now really answers ${actual}`;
  } else if (actual >= 500 && expected < 500) {
    cause = ` The sandbox failed (${actual}): the recording says nothing about the fixture's body.`;
    fix = `the sandbox failed (${actual}): check that it is up and record ${route} again; change the status in {at} only if the API now really answers ${actual}`;
  } else if (reason === 'errors') {
    fix = `record a successful ${route} again if the sandbox rejected the request; otherwise change the status to ${actual} in {at}`;
  }
  return {
    kind: 'status-changed',
    expected,
    actual,
    recordings: total,
    matching: 0,
    message: (scope === 'request' && reason !== 'exact' ? `${message} (recordings of the fixture's own request)` : message) + cause,
    fix,
  };
}

interface UnreadableCounts {
  readonly total: number;
  readonly byReason: ReadonlyMap<UnreadableReason, number>;
}

function unreadableCounts(groups: readonly RecordedGroup[]): UnreadableCounts {
  const byReason = new Map<UnreadableReason, number>();
  for (const group of groups) {
    for (const [reason, count] of Object.entries(group.unreadable ?? {}) as Array<[UnreadableReason, number]>) {
      byReason.set(reason, (byReason.get(reason) ?? 0) + count);
    }
  }
  let total = 0;
  for (const count of byReason.values()) total += count;
  return { total, byReason };
}

const UNREADABLE_WORDS: Readonly<Record<UnreadableReason, string>> = {
  truncated: 'stored truncated past --max-body',
  undecodable: 'with a content-encoding that did not decode',
  'invalid-json': 'not valid JSON under a JSON content type',
};

function unreadableDrift(unreadable: UnreadableCounts, total: number, route: string): Drift {
  const parts = [...unreadable.byReason].map(([reason, count]) => `${count} ${UNREADABLE_WORDS[reason]}`);
  const fixes: string[] = [];
  if (unreadable.byReason.has('truncated')) fixes.push('raise --max-body');
  if (unreadable.byReason.has('undecodable')) fixes.push('check the content-encoding the sandbox sends');
  if (unreadable.byReason.has('invalid-json')) fixes.push('check why the sandbox answers broken JSON');
  return {
    kind: 'unverified',
    recordings: total,
    matching: 0,
    message: `Nothing to compare with: none of ${total} recording${total === 1 ? '' : 's'} of ${route} has a body that could be read (${parts.join(', ')}).`,
    fix: `${fixes.join(', ')}, then record ${route} again`,
  };
}

/** A fixture with a JSON body whose request reality answers with no body at all. */
function emptyBodyDrift(interaction: FixtureInteraction, empty: number, total: number): Drift | undefined {
  const body = interaction.response.body;
  if (empty === 0 || empty < total || body === null || BODILESS_STATUSES.has(interaction.response.status)) return undefined;
  const type = Array.isArray(body) ? 'array' : typeof body === 'object' ? 'object' : typeof body;
  return {
    kind: 'type-changed',
    path: '$',
    expected: type,
    actual: 'empty body',
    recordings: total,
    matching: 0,
    message: `The fixture answers a JSON ${type}; every one of ${total} recording${total === 1 ? '' : 's'} has an empty body.`,
    fix: `remove the body from {at}, and the code that reads it`,
  };
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
  // No body, no type: a 204/205/304, or an empty body on either side, has nothing to be of a type.
  const { response } = interaction;
  if (BODILESS_STATUSES.has(response.status) || (response.body === undefined && (response.bodyText ?? '') === '')) return undefined;
  const counts = new Map<string, number>();
  for (const group of groups) {
    const withBody = group.count - (group.empty ?? 0);
    if (group.contentType !== null && withBody > 0 && !BODILESS_STATUSES.has(group.status)) counts.set(group.contentType, (counts.get(group.contentType) ?? 0) + withBody);
  }
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

function headerDrifts(interaction: FixtureInteraction, groups: readonly RecordedGroup[], options: CheckOptions): Drift[] {
  const total = sum(groups);
  const drifts: Drift[] = [];
  const declared = DECLARED_HEADER_FORMATS.has(interaction.format);
  for (const name of Object.keys(interaction.response.headers)) {
    if (INCIDENTAL_HEADERS.has(name) || name === 'content-type') continue;
    const seen = groups.reduce((count, group) => count + (group.headers.get(name) ?? 0), 0);
    if (seen > 0) continue;
    // A recorder wrote down every header the server sent; the consumer relies on few of them.
    const matters = declared || MEANINGFUL_HEADERS.has(name) || (options.headers ?? []).some((header) => header.toLowerCase() === name);
    drifts.push({
      kind: 'header-missing',
      ...(matters ? {} : { severity: 'info' as const }),
      path: `headers.${name}`,
      expected: 'present',
      actual: 'absent',
      recordings: total,
      matching: 0,
      message: `The fixture sends the header ${name}; none of ${total} recording${total === 1 ? '' : 's'} has it${matters ? '' : ` (captured by the ${interaction.format} recorder, not declared on purpose: info)`}.`,
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
  const moves = detectMoves(
    diff.missing.filter((field) => !renamedFrom.has(field.path)),
    reality,
    body,
    samples,
  );
  const movedFrom = new Map(moves.map((move) => [move.from.path, move]));
  const drifts = [...diff.drifts];

  for (const { from, to, sameValue } of renames) {
    const types = to.types.join(' | ') || 'null';
    drifts.push({
      kind: 'field-renamed',
      path: from.path,
      to: to.path,
      expected: from.types.join(' | ') || 'null',
      actual: 'absent',
      recordings: from.recordings,
      matching: 0,
      message:
        `The fixture has ${from.path}; reality has ${to.path} (${types}) instead, in ${ofRecordings(to.recordings, from.recordings)}, ` +
        `and ${from.path} in none${sameValue ? ' — with the same value as the fixture' : ''}.`,
      fix: `rename ${describeField(from.path)} to ${describeField(to.path)} in {at}`,
    });
  }
  for (const field of diff.missing) {
    if (renamedFrom.has(field.path)) continue;
    const move = movedFrom.get(field.path);
    if (move) {
      drifts.push({
        kind: 'field-moved',
        path: field.path,
        to: move.to,
        expected: field.types.join(' | ') || 'null',
        actual: 'absent',
        recordings: field.recordings,
        matching: 0,
        message:
          `The fixture has ${field.path}; reality has it at ${move.to} (${move.types.join(' | ') || 'null'}) in ${ofRecordings(move.recordings, field.recordings)}, ` +
          `and ${field.path} in none${move.sameValue ? ' — with the same value as the fixture' : ''}.`,
        fix: `move ${describeField(field.path)} to ${move.to} in {at}`,
      });
      continue;
    }
    const hint = movedHint(field, reality, body);
    drifts.push({
      kind: 'field-missing',
      path: field.path,
      expected: field.types.join(' | ') || 'null',
      actual: 'absent',
      recordings: field.recordings,
      matching: 0,
      message:
        `The fixture has ${field.path}; none of ${field.recordings} recording${field.recordings === 1 ? '' : 's'} has it` +
        (hint ? ` (reality has ${hint}, with other values: moved?).` : '.'),
      fix: `remove ${describeField(field.path)} from {at}, and the code that reads it`,
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
      message: `Reality has ${field.path} (${field.types.join(' | ') || 'null'}) in ${ofRecordings(field.recordings, reality.recordings)}; the fixture does not have it.`,
      fix: `add ${describeField(field.path)} to {at} if the code under test reads it`,
    });
  }
  return drifts;
}

/** A path elsewhere in reality that carries the missing field's name, without the evidence of a move. */
function movedHint(field: FieldCandidate, reality: AggregateShape, body: unknown): string | undefined {
  const wanted = canonicalWords(field.key).join('_');
  const fixtureShape = shapeOf(body);
  for (const [path, stats] of reality.paths) {
    if (stats.present === 0 || path === field.path) continue;
    const key = lastKey(path);
    if (key === undefined || canonicalWords(key).join('_') !== wanted) continue;
    if (Object.hasOwn(fixtureShape, path)) continue;
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
