import type { FixtureInteraction } from '../model/fixture.js';
import type { RecordedGroup, RecordedRequest } from '../model/recorded-group.js';
import { normalizePath, routeOf, type RouteTemplate } from '../model/route.js';
import { compileSafeRegex, UnsafeRegexError, type SafeRegex } from '../model/safe-regex.js';
import { carriesRequest, groupsOfRequests, matchRequests } from './match-requests.js';

/** Why a fixture's status is not what reality answers. */
export interface StatusChange {
  readonly expected: number;
  /** The status reality answers instead (the most recorded one). */
  readonly actual: number;
  /** Every status seen, with how many recordings had it, most recorded first. */
  readonly seen: ReadonlyArray<{ readonly status: number; readonly count: number }>;
  /**
   * `exact`: the fixture's very request (same path, query and body) was answered so;
   * `errors`: the fixture expects a success and the route answered only errors;
   * `class`: the route answered another status of the same class.
   */
  readonly reason: 'exact' | 'errors' | 'class';
}

/**
 * The recorded requests of the groups' routes, or with `path` only those of that concrete path
 * (see {@link RecordedRequest}); absent when the store cannot say.
 */
export type RequestLookup = (routeGroups: readonly RecordedGroup[], path?: string) => readonly RecordedRequest[];

/** The recordings a fixture interaction is compared with, or why there are none. */
export type RecordingMatch =
  | {
      readonly kind: 'matched';
      /** `METHOD /route` of the matched recordings. */
      readonly route: string;
      readonly service: string;
      /** Groups to compare the response with. */
      readonly groups: readonly RecordedGroup[];
      /** Every recording of the route, whatever its status (for status evidence). */
      readonly routeGroups: readonly RecordedGroup[];
      /** Set when reality answers the fixture's request with another status. */
      readonly statusChanged?: StatusChange;
      /** Whether the groups' bodies may be compared with the fixture's (not when the status class differs). */
      readonly compareBody: boolean;
      /** `request` when the groups are recordings of the fixture's own request, `route` otherwise. */
      readonly scope: 'request' | 'route';
    }
  | { readonly kind: 'unverified'; readonly route: string; readonly service: string | null; readonly reason: string };

/**
 * The recorded groups of a check, indexed by route. Routes are derived again with this check's
 * templates (the store may predate them) — once per group, not once per group and fixture.
 */
export class RecordingIndex {
  readonly templates: readonly RouteTemplate[];
  readonly #byRoute = new Map<string, RecordedGroup[]>();
  readonly #all: readonly RecordedGroup[];

  constructor(groups: readonly RecordedGroup[], templates: readonly RouteTemplate[] = []) {
    this.templates = templates;
    this.#all = groups;
    for (const group of groups) {
      const route = routeOf(group.samplePath, templates);
      const list = this.#byRoute.get(route);
      if (list) list.push(group);
      else this.#byRoute.set(route, [group]);
    }
  }

  /** Groups whose route is `route`. */
  onRoute(route: string): readonly RecordedGroup[] {
    return this.#byRoute.get(route) ?? [];
  }

  /** Every group (for fixtures that give only a path pattern). */
  get all(): readonly RecordedGroup[] {
    return this.#all;
  }
}

/**
 * Picks the recordings that answer the same question as the fixture (SPEC §5): same service,
 * method and route; then, when the store can say, the fixture's own request (its very request
 * answered with another status is a status change whatever the class; a fixture with a request
 * body or query values is compared first with recordings of that request); then the same
 * status; then the same query parameter names when any group has them. Each step is a guard
 * that says why it did not match.
 */
export function matchRecordings(interaction: FixtureInteraction, index: RecordingIndex, requests?: RequestLookup): RecordingMatch {
  const { request, response } = interaction;
  const fixtureRoute = request.path !== null ? routeOf(normalizePath(request.path), index.templates) : null;
  const shownRoute = `${request.method} ${fixtureRoute ?? request.pathPattern ?? '?'}`;
  const pattern = request.pathPattern !== undefined ? compilePattern(request.pathPattern) : undefined;
  if (pattern instanceof UnsafeRegexError) {
    return { kind: 'unverified', route: shownRoute, service: interaction.service, reason: `its urlPattern /${pattern.source}/ cannot be used: ${pattern.message}` };
  }

  const candidates = fixtureRoute !== null ? index.onRoute(fixtureRoute) : index.all;
  const routeGroups = candidates.filter((group) => {
    if (interaction.service !== null && group.service !== interaction.service) return false;
    if (request.method !== 'ANY' && group.method !== request.method) return false;
    return fixtureRoute !== null || (pattern?.test(group.samplePath) ?? false);
  });
  if (routeGroups.length === 0) {
    return {
      kind: 'unverified',
      route: shownRoute,
      service: interaction.service,
      reason: `no recording of ${shownRoute}${interaction.service ? ` for service ${interaction.service}` : ''}`,
    };
  }
  const service = mostRecorded(routeGroups, (group) => group.service);
  const route = `${request.method === 'ANY' ? mostRecorded(routeGroups, (g) => g.method) : request.method} ${fixtureRoute ?? routeGroups[0]!.route}`;
  const matched = { kind: 'matched' as const, route, service, routeGroups };

  if (requests && (request.path !== null || carriesRequest(request))) {
    const ofPath = request.path !== null ? requests(routeGroups, normalizePath(request.path)) : [];
    const own = matchRequests(request, ofPath, carriesRequest(request) ? requests(routeGroups) : []);
    if (own.exact.length > 0 && !own.exact.some((recording) => recording.status === response.status)) {
      const exactGroups = groupsOfRequests(own.exact);
      const actual = Number(mostRecorded(exactGroups, (group) => String(group.status)));
      const sameClass = Math.floor(actual / 100) === Math.floor(response.status / 100);
      return {
        ...matched,
        groups: exactGroups.filter((group) => group.status === actual),
        statusChanged: { expected: response.status, actual, seen: statusesSeen(exactGroups), reason: 'exact' },
        compareBody: sameClass,
        scope: 'request',
      };
    }
    const same = own.same.filter((recording) => recording.status === response.status);
    if (same.length > 0) return { ...matched, groups: groupsOfRequests(same), compareBody: true, scope: 'request' };
  }

  let statusGroups = routeGroups.filter((group) => group.status === response.status);
  let statusChanged: StatusChange | undefined;
  if (statusGroups.length === 0) {
    // A 404 fixture is never compared with 200s: only a status of the same class stands in.
    const sameClass = routeGroups.filter((group) => Math.floor(group.status / 100) === Math.floor(response.status / 100));
    if (sameClass.length === 0) {
      const seen = statusesSeen(routeGroups);
      // A fixture of a success whose route answers nothing but errors: an expired token or a
      // sandbox down must never pass as "unverified".
      if (isSuccess(response.status) && seen.every((entry) => entry.status >= 400)) {
        const actual = seen[0]!.status;
        return {
          ...matched,
          groups: routeGroups.filter((group) => group.status === actual),
          statusChanged: { expected: response.status, actual, seen, reason: 'errors' },
          compareBody: false,
          scope: 'route',
        };
      }
      return { kind: 'unverified', route, service, reason: `${route} was recorded only with status ${seen.map((entry) => entry.status).sort().join(', ')}, never ${response.status}` };
    }
    const actual = Number(mostRecorded(sameClass, (group) => String(group.status)));
    statusGroups = sameClass.filter((group) => group.status === actual);
    statusChanged = { expected: response.status, actual, seen: statusesSeen(routeGroups), reason: 'class' };
  }

  const names = Object.keys(request.query ?? {}).sort().join('&');
  const sameQuery = statusGroups.filter((group) => group.queryNames.join('&') === names);
  // A refusal (401/403) standing in for another 4xx says nothing about that answer's body.
  const refused = statusChanged !== undefined && (statusChanged.actual === 401 || statusChanged.actual === 403);
  return {
    ...matched,
    groups: sameQuery.length > 0 ? sameQuery : statusGroups,
    ...(statusChanged ? { statusChanged } : {}),
    compareBody: !refused,
    scope: 'route',
  };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Statuses of the groups with their recordings, most recorded first. */
function statusesSeen(groups: readonly RecordedGroup[]): Array<{ status: number; count: number }> {
  const counts = new Map<number, number>();
  for (const group of groups) counts.set(group.status, (counts.get(group.status) ?? 0) + group.count);
  return [...counts].map(([status, count]) => ({ status, count })).sort((a, b) => b.count - a.count || a.status - b.status);
}

/** The value of `key` carried by the most recordings. */
function mostRecorded(groups: readonly RecordedGroup[], key: (group: RecordedGroup) => string): string {
  const counts = new Map<string, number>();
  for (const group of groups) counts.set(key(group), (counts.get(key(group)) ?? 0) + group.count);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

/** A fixture's URL pattern, run on RE2 (linear time: a hostile pattern cannot hang a check). */
function compilePattern(pattern: string): SafeRegex | UnsafeRegexError | undefined {
  try {
    return compileSafeRegex(`^(?:${pattern})$`);
  } catch (error) {
    return error instanceof UnsafeRegexError ? new UnsafeRegexError(pattern, error.message) : undefined;
  }
}
