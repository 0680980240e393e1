import type { FixtureInteraction } from '../model/fixture.js';
import type { RecordedGroup } from '../model/recorded-group.js';
import { normalizePath, routeOf, type RouteTemplate } from '../model/route.js';
import { compileSafeRegex, UnsafeRegexError, type SafeRegex } from '../model/safe-regex.js';

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
      /** Set when the route never answered the fixture's status but answered another of its class. */
      readonly statusChanged?: { readonly expected: number; readonly actual: number };
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
 * method and route; then the same status; then the same query parameter names when any group has
 * them. Each step is a guard that says why it did not match.
 */
export function matchRecordings(interaction: FixtureInteraction, index: RecordingIndex): RecordingMatch {
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

  let statusGroups = routeGroups.filter((group) => group.status === response.status);
  let statusChanged: { expected: number; actual: number } | undefined;
  if (statusGroups.length === 0) {
    // A 404 fixture is never compared with 200s: only a status of the same class stands in.
    const sameClass = routeGroups.filter((group) => Math.floor(group.status / 100) === Math.floor(response.status / 100));
    if (sameClass.length === 0) {
      const seen = [...new Set(routeGroups.map((group) => group.status))].sort().join(', ');
      return { kind: 'unverified', route, service, reason: `${route} was recorded only with status ${seen}, never ${response.status}` };
    }
    const actual = Number(mostRecorded(sameClass, (group) => String(group.status)));
    statusGroups = sameClass.filter((group) => group.status === actual);
    statusChanged = { expected: response.status, actual };
  }

  const names = Object.keys(request.query ?? {}).sort().join('&');
  const sameQuery = statusGroups.filter((group) => group.queryNames.join('&') === names);
  return {
    kind: 'matched',
    route,
    service,
    groups: sameQuery.length > 0 ? sameQuery : statusGroups,
    routeGroups,
    ...(statusChanged ? { statusChanged } : {}),
  };
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
