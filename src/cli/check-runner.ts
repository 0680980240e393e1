import { existsSync } from 'node:fs';
import { checkFixtures, type CheckOptions, type Recordings } from '../compare/check-fixtures.js';
import { IgnoreRules, type IgnoreRule } from '../compare/ignore-rules.js';
import { loadFixtures } from '../formats/load-fixtures.js';
import { MockdriftError } from '../model/errors.js';
import type { Report } from '../model/finding.js';
import type { FixtureInteraction } from '../model/fixture.js';
import { RouteTemplate } from '../model/route.js';
import { openRecordingStore } from '../store/open-recording-store.js';
import { isPostgresLocation, resolveStoreLocation, storeLabel } from '../store/store-location.js';
import type { MockdriftConfig } from './config.js';

/** How many recorded bodies are read per group when values must be compared. */
const SAMPLE_BODIES = 20;

export interface CheckRun {
  readonly cwd: string;
  readonly db: string;
  readonly config: MockdriftConfig;
  readonly fixtures: readonly string[];
  readonly service?: string;
  readonly ignore?: readonly string[];
  readonly sinceMs?: number;
  readonly maxAgeMs?: number;
  readonly requireCoverage?: boolean;
}

/** Everything a comparison needs, read and ready: shared by `check` and `update`. */
export interface PreparedCheck {
  readonly interactions: readonly FixtureInteraction[];
  readonly recordings: Recordings;
  readonly options: CheckOptions;
  /** Closes the store. */
  close(): void;
}

/**
 * The whole of `check`: load the fixtures, read the recorded shapes, compare. Shared by `check`,
 * `probe --check` and `demo`.
 * @throws MockdriftError `FIXTURE_INVALID` (exit 2) for a bad fixture, `STORE_*` (exit 2) for an
 *   unreadable store, `NOTHING_TO_CHECK` (exit 3) when there are no recordings.
 */
export async function runCheck(run: CheckRun): Promise<Report> {
  const prepared = await prepareCheck(run);
  try {
    return checkFixtures(prepared.interactions, prepared.recordings, prepared.options);
  } finally {
    prepared.close();
  }
}

/** Loads the fixtures and opens the store for a comparison (see {@link runCheck} for the errors). */
export async function prepareCheck(run: CheckRun): Promise<PreparedCheck> {
  const config = run.config;
  const templates = parseTemplates(config.routes ?? []);
  const ignore = ignoreRules(config, run.ignore ?? []);
  const interactions = await loadRunFixtures(run);

  const dbPath = resolveStoreLocation(run.cwd, run.db);
  if (!isPostgresLocation(dbPath) && !existsSync(dbPath)) {
    throw new MockdriftError('NOTHING_TO_CHECK', `No recordings to check against: ${run.db} does not exist. Record first (mockdrift record or mockdrift probe), or pass --db.`);
  }
  const store = openCheckedStore(dbPath);
  try {
    const since = run.sinceMs !== undefined ? Date.now() - run.sinceMs : undefined;
    const groups = store.recordedGroups({ ...(run.service !== undefined ? { service: run.service } : {}), ...(since !== undefined ? { since } : {}) });
    if (groups.length === 0) {
      throw new MockdriftError(
        'NOTHING_TO_CHECK',
        `No recordings in ${storeLabel(run.db)}${run.service ? ` for service ${run.service}` : ''}${run.sinceMs !== undefined ? ' within --since' : ''}: nothing to check against. Record first.`,
      );
    }
    return {
      interactions,
      recordings: { groups, samples: (selector) => store.sampleBodies({ ...selector, ...(since !== undefined ? { since } : {}) }, SAMPLE_BODIES) },
      options: {
        templates,
        ignore,
        enums: config.enums ?? [],
        ...(run.maxAgeMs !== undefined ? { maxAgeMs: run.maxAgeMs } : {}),
        requireCoverage: run.requireCoverage ?? false,
      },
      close: () => store.close(),
    };
  } catch (error) {
    store.close();
    throw error;
  }
}

/**
 * Opens the store for reading. A shared PostgreSQL store that cannot be reached, or holds nothing
 * yet, means the check could not run (exit 3), as a missing SQLite file does.
 */
function openCheckedStore(location: string): ReturnType<typeof openRecordingStore> {
  try {
    return openRecordingStore(location, { readonly: true });
  } catch (error) {
    if (isPostgresLocation(location) && error instanceof MockdriftError && error.code === 'STORE_UNAVAILABLE') {
      throw new MockdriftError('NOTHING_TO_CHECK', error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * The fixtures a run names, each with its service (from the fixture, else the config's
 * `services.NAME.fixtures` globs); with `service`, only those of that service or of none.
 */
export async function loadRunFixtures(run: Pick<CheckRun, 'cwd' | 'config' | 'fixtures' | 'service'>): Promise<FixtureInteraction[]> {
  const serviceGlobs = Object.fromEntries(
    Object.entries(run.config.services ?? {}).flatMap(([name, service]) => (service.fixtures ? [[name, service.fixtures]] : [])),
  );
  const interactions = await loadFixtures(run.fixtures, { cwd: run.cwd, serviceGlobs });
  return run.service === undefined ? interactions : interactions.filter((interaction) => interaction.service === null || interaction.service === run.service);
}

function parseTemplates(routes: readonly string[]): RouteTemplate[] {
  return routes.map((template) => {
    try {
      return RouteTemplate.parse(template);
    } catch (error) {
      throw new MockdriftError('CONFIG_INVALID', `routes: ${(error as Error).message}`, { cause: error });
    }
  });
}

function ignoreRules(config: MockdriftConfig, flags: readonly string[]): IgnoreRules {
  const rules: IgnoreRule[] = flags.map((path) => ({ path }));
  for (const rule of config.ignore ?? []) {
    if (typeof rule === 'string') rules.push({ path: rule });
    else for (const path of rule.paths) rules.push({ path, route: rule.route });
  }
  try {
    return new IgnoreRules(rules);
  } catch (error) {
    throw new MockdriftError('USAGE', (error as Error).message, { cause: error });
  }
}
