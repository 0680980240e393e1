import type { FixtureRequest } from '../model/fixture.js';
import type { RecordedGroup, RecordedRequest, UnreadableReason } from '../model/recorded-group.js';
import { normalizePath } from '../model/route.js';

/** How deep two request bodies are compared; deeper parts are taken as agreeing. */
const MAX_DEPTH = 32;
/** How many members or items of one request body are compared. */
const MAX_ENTRIES = 2_000;
/** Request bodies longer than this are compared as text only: parsing each would cost more than it tells. */
const MAX_PARSED_BODY = 256 * 1024;
/** What redaction writes instead of a secret: a recorded `[REDACTED]` agrees with any fixture value. */
const REDACTED = '[REDACTED]';

/** The recordings of a fixture's own request, by how closely they match it. */
export interface RequestMatches {
  /** Same concrete path, query and body: the fixture's very request. */
  readonly exact: readonly RecordedRequest[];
  /**
   * Same request body keys and values, and the same query values: recordings of the request the
   * fixture describes (any concrete path of the route). Empty unless the fixture carries a
   * request body or query values.
   */
  readonly same: readonly RecordedRequest[];
}

/** Whether a fixture says enough about its request to be compared with that request first. */
export function carriesRequest(request: FixtureRequest): boolean {
  return hasBody(request) || (request.query !== null && Object.keys(request.query).length > 0);
}

/**
 * Picks the recordings of the fixture's own request: out of those of its concrete path (`ofPath`),
 * the exact ones; out of those of its whole route (`ofRoute`), the same request.
 */
export function matchRequests(request: FixtureRequest, ofPath: readonly RecordedRequest[], ofRoute: readonly RecordedRequest[]): RequestMatches {
  const path = request.path !== null ? normalizePath(request.path) : null;
  const agrees = (recording: RecordedRequest): boolean => queryAgrees(request.query, recording.query) && bodyAgrees(request, recording.requestBody);
  const exact = path === null ? [] : ofPath.filter((recording) => recording.path === path && agrees(recording));
  const same = carriesRequest(request) ? ofRoute.filter(agrees) : [];
  return { exact, same };
}

function hasBody(request: FixtureRequest): boolean {
  return request.body !== undefined && request.body !== null && request.body !== '';
}

/** Same parameter names, each with the same values (order of repeated values ignored). */
function queryAgrees(fixture: FixtureRequest['query'], recorded: Readonly<Record<string, readonly string[]>>): boolean {
  const wanted = fixture ?? {};
  const names = Object.keys(wanted);
  if (names.length !== Object.keys(recorded).length) return false;
  for (const name of names) {
    const got = recorded[name];
    if (!got || !Object.hasOwn(recorded, name)) return false;
    const a = [...wanted[name]!].sort();
    const b = [...got].sort();
    if (a.length !== b.length || a.some((value, i) => value !== b[i] && b[i] !== REDACTED)) return false;
  }
  return true;
}

function bodyAgrees(request: FixtureRequest, recorded: string | null): boolean {
  if (!hasBody(request)) return recorded === null || recorded.trim() === '';
  if (recorded === null) return false;
  const expected = request.body;
  if (typeof expected === 'string') {
    if (expected.trim() === recorded.trim()) return true;
    const parsedExpected = parse(expected);
    return parsedExpected !== undefined && valuesAgree(parsedExpected.value, parse(recorded)?.value, 0, { entries: 0 });
  }
  const parsed = parse(recorded);
  return parsed !== undefined && valuesAgree(expected, parsed.value, 0, { entries: 0 });
}

function parse(text: string): { value: unknown } | undefined {
  if (text.length > MAX_PARSED_BODY) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * Same keys at every level, same scalars (a redacted recorded value agrees), arrays item by item:
 * what WireMock's `equalToJson` and Pact's request matching ask of a body by default.
 */
function valuesAgree(expected: unknown, actual: unknown, depth: number, budget: { entries: number }): boolean {
  if (depth > MAX_DEPTH || budget.entries > MAX_ENTRIES) return true;
  if (actual === REDACTED && typeof expected === 'string') return true;
  if (expected === null || typeof expected !== 'object') return expected === actual;
  if (actual === null || typeof actual !== 'object' || Array.isArray(expected) !== Array.isArray(actual)) return false;
  if (Array.isArray(expected)) {
    const items = actual as unknown[];
    if (expected.length !== items.length) return false;
    for (let i = 0; i < expected.length; i++) {
      budget.entries += 1;
      if (!valuesAgree(expected[i], items[i], depth + 1, budget)) return false;
    }
    return true;
  }
  const keys = Object.keys(expected);
  const actualObject = actual as Record<string, unknown>;
  if (keys.length !== Object.keys(actualObject).length) return false;
  for (const key of keys) {
    budget.entries += 1;
    if (!Object.hasOwn(actualObject, key)) return false;
    if (!valuesAgree((expected as Record<string, unknown>)[key], actualObject[key], depth + 1, budget)) return false;
  }
  return true;
}

/** Recorded requests summed up as the groups the comparison reads, as the store groups a route. */
export function groupsOfRequests(requests: readonly RecordedRequest[]): RecordedGroup[] {
  type Mutable = {
    service: string; method: string; route: string; status: number; queryNames: string[]; contentType: string | null;
    count: number; firstSeen: number; lastSeen: number; samplePath: string; headers: Map<string, number>;
    shapes: Array<{ shape: NonNullable<RecordedRequest["shape"]>; count: number; firstSeen: number; lastSeen: number }>; unreadable: Partial<Record<UnreadableReason, number>>; empty: number;
  };
  const groups = new Map<string, Mutable>();
  for (const request of requests) {
    const queryNames = Object.keys(request.query).sort();
    const key = JSON.stringify([request.service, request.method, request.route, request.status, queryNames.join('&'), request.contentType]);
    let group = groups.get(key);
    if (!group) {
      group = {
        service: request.service,
        method: request.method,
        route: request.route,
        status: request.status,
        queryNames,
        contentType: request.contentType,
        count: 0,
        firstSeen: request.firstSeen,
        lastSeen: request.lastSeen,
        samplePath: request.path,
        headers: new Map(),
        shapes: [],
        unreadable: {},
        empty: 0,
      };
      groups.set(key, group);
    }
    group.count += request.count;
    group.firstSeen = Math.min(group.firstSeen, request.firstSeen);
    group.lastSeen = Math.max(group.lastSeen, request.lastSeen);
    for (const name of request.headerNames) group.headers.set(name, (group.headers.get(name) ?? 0) + request.count);
    if (request.shape) group.shapes.push({ shape: request.shape, count: request.count, firstSeen: request.firstSeen, lastSeen: request.lastSeen });
    if (request.unreadable) group.unreadable[request.unreadable] = (group.unreadable[request.unreadable] ?? 0) + request.count;
    if (request.empty) group.empty += request.count;
  }
  return [...groups.values()];
}
