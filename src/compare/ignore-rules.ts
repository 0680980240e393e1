import { parsePath, type PathStep } from '../model/json-path.js';

/** A path to ignore, optionally only on one route (`GET /v1/charges/:id`). */
export interface IgnoreRule {
  readonly path: string;
  readonly route?: string;
}

type PatternStep = PathStep | { readonly anyDepth: true };

/**
 * Decides which body paths a check leaves alone: `$.meta.request_id` (that field and everything
 * below it), `$..updated_at` (that key at any depth), `$.items[*].etag`. A rule may name a route
 * (`GET /v1/charges/:id`) to apply only there.
 */
export class IgnoreRules {
  readonly #rules: Array<{ readonly steps: PatternStep[]; readonly route?: string }>;

  constructor(rules: readonly IgnoreRule[]) {
    this.#rules = rules.map((rule) => {
      const steps = parsePattern(rule.path);
      if (!steps) throw new Error(`ignore rule "${rule.path}" is not a path such as $.meta.request_id or $..updated_at`);
      return { steps, ...(rule.route !== undefined ? { route: normalizeRoute(rule.route) } : {}) };
    });
  }

  /** Whether `path` (or one of its ancestors) is ignored on `route` (`METHOD /route`). */
  ignores(path: string, route: string): boolean {
    if (this.#rules.length === 0) return false;
    const steps = parsePath(path);
    if (!steps) return false;
    const normalizedRoute = normalizeRoute(route);
    return this.#rules.some((rule) => (rule.route === undefined || rule.route === normalizedRoute) && matchesPrefix(rule.steps, steps));
  }
}

function normalizeRoute(route: string): string {
  const [method, ...rest] = route.trim().split(/\s+/);
  return `${(method ?? '').toUpperCase()} ${rest.join(' ')}`;
}

/** Steps of a rule: a path where `..key` stands for `key` at any depth. */
function parsePattern(pattern: string): PatternStep[] | undefined {
  const parts = pattern.split('..');
  const steps: PatternStep[] = [];
  for (const [index, part] of parts.entries()) {
    const parsed = parsePath(index === 0 ? part : `$.${part}`);
    if (!parsed) return undefined;
    if (index > 0) steps.push({ anyDepth: true });
    steps.push(...parsed);
  }
  return steps;
}

/** Whether the pattern matches the path or one of its ancestors. */
function matchesPrefix(pattern: readonly PatternStep[], path: readonly PathStep[]): boolean {
  const match = (p: number, s: number): boolean => {
    if (p === pattern.length) return true; // the pattern matched an ancestor (or the path itself)
    const step = pattern[p]!;
    if ('anyDepth' in step) {
      for (let skip = s; skip <= path.length; skip++) if (match(p + 1, skip)) return true;
      return false;
    }
    const actual = path[s];
    if (!actual) return false;
    if ('items' in step) return 'items' in actual && match(p + 1, s + 1);
    return 'key' in actual && (step.key === '*' || actual.key === step.key) && match(p + 1, s + 1);
  };
  return match(0, 0);
}
