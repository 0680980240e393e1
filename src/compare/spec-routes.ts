import type { FixtureInteraction } from '../model/fixture.js';
import { normalizePath, routeOf, RouteTemplate } from '../model/route.js';
import { operationLists } from '../model/spec-schema.js';
import { ofRecordings, type Drift } from './drift.js';
import type { RecordingIndex } from './match-recordings.js';

/**
 * The path templates of the OpenAPI interactions among `interactions`, as route templates: a
 * spec's `/pets/{petId}` groups `/pets/42` with no config. Literal segments go first, so that
 * `/pets/mine` is not taken for `/pets/{petId}`.
 */
export function specTemplates(interactions: readonly FixtureInteraction[]): RouteTemplate[] {
  const paths = new Set<string>();
  for (const interaction of interactions) {
    if (!interaction.operation || interaction.request.path === null) continue;
    paths.add(interaction.request.path);
    if (interaction.operation.barePath) paths.add(interaction.operation.barePath);
  }
  const templates: RouteTemplate[] = [];
  for (const path of paths) {
    try {
      templates.push(RouteTemplate.parse(path));
    } catch {
      // A template the route model cannot hold is compared by id-like segments instead.
    }
  }
  return templates.sort((a, b) => specificity(b.template) - specificity(a.template) || a.template.localeCompare(b.template));
}

/** Literal segments weigh by position: the earlier a literal, the more specific the template. */
function specificity(template: string): number {
  const segments = template.split('/').filter(Boolean);
  let score = 0;
  for (const [index, segment] of segments.entries()) if (!segment.startsWith(':')) score += 2 ** Math.max(0, 20 - index);
  return score + segments.length;
}

/** The route an OpenAPI interaction's path has among these templates. */
export function specRoute(path: string, index: RecordingIndex): string {
  return routeOf(normalizePath(path), index.templates);
}

/**
 * Statuses the recordings of an operation's route answered that the operation does not list (by
 * number, range or `default`): one finding on the operation, reported with its first response.
 */
export function unlistedStatusDrifts(interaction: FixtureInteraction, index: RecordingIndex): Drift[] {
  const operation = interaction.operation;
  if (!operation?.first || interaction.request.path === null) return [];
  for (const path of [interaction.request.path, operation.barePath]) {
    if (!path) continue;
    const groups = index
      .onRoute(specRoute(path, index))
      .filter((group) => group.method === interaction.request.method && (interaction.service === null || group.service === interaction.service));
    if (groups.length === 0) continue;
    const total = groups.reduce((sum, group) => sum + group.count, 0);
    const unlisted = new Map<number, number>();
    for (const group of groups) if (!operationLists(operation, group.status)) unlisted.set(group.status, (unlisted.get(group.status) ?? 0) + group.count);
    const listed = [...operation.statuses.map(String), ...operation.ranges.map((range) => `${range}XX`)].join(', ') || 'no status';
    if (unlisted.size === 0) return [];
    // One finding per operation (a finding's id is per interaction and kind): every unlisted status in it.
    const statuses = [...unlisted.keys()].sort((a, b) => a - b);
    const count = [...unlisted.values()].reduce((a, b) => a + b, 0);
    const shown = statuses.join(', ');
    return [
      {
        kind: 'status-changed' as const,
        expected: listed,
        actual: statuses.length === 1 ? statuses[0] : shown,
        recordings: total,
        matching: total - count,
        message: `${operation.name} answered ${shown} in ${ofRecordings(count, total)}; the spec lists ${listed} for the operation.`,
        fix: `add ${statuses.length === 1 ? `a ${shown} response` : `${shown} responses`} to the operation at {at}`,
        line: operation.line,
      },
    ];
  }
  return [];
}
