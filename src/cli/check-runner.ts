import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkFixtures, type CheckOptions, type Recordings } from '../compare/check-fixtures.js';
import { IgnoreRules, type IgnoreRule } from '../compare/ignore-rules.js';
import { checkAgainstSpec, mergeSpecAndRecordings } from '../compare/check-against-spec.js';
import { loadFixtureFile, loadFixtures } from '../formats/load-fixtures.js';
import { MockdriftError } from '../model/errors.js';
import type { Report } from '../model/finding.js';
import type { FixtureInteraction } from '../model/fixture.js';
import { RouteTemplate } from '../model/route.js';
import { SqliteRecordingStore } from '../store/sqlite-recording-store.js';
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
  /** An OpenAPI document to check the fixtures against as reality (`check --spec`). Default: none. */
  readonly spec?: string;
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
  if (run.spec !== undefined) return runSpecCheck(run, run.spec);
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

  const dbPath = resolve(run.cwd, run.db);
  if (!existsSync(dbPath)) {
    throw new MockdriftError('NOTHING_TO_CHECK', `No recordings to check against: ${run.db} does not exist. Record first (mockdrift record or mockdrift probe), or pass --db.`);
  }
  const store = SqliteRecordingStore.open(dbPath, { readonly: true });
  try {
    const since = run.sinceMs !== undefined ? Date.now() - run.sinceMs : undefined;
    const groups = store.recordedGroups({ ...(run.service !== undefined ? { service: run.service } : {}), ...(since !== undefined ? { since } : {}) });
    if (groups.length === 0) {
      throw new MockdriftError(
        'NOTHING_TO_CHECK',
        `No recordings in ${run.db}${run.service ? ` for service ${run.service}` : ''}${run.sinceMs !== undefined ? ' within --since' : ''}: nothing to check against. Record first.`,
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

/**
 * `check --spec`: the fixtures against the OpenAPI document, and against the recordings too when
 * the store has any (each finding says its `source`).
 * @throws MockdriftError `USAGE` when the spec is missing or not an OpenAPI document.
 */
async function runSpecCheck(run: CheckRun, spec: string): Promise<Report> {
  const specPath = resolve(run.cwd, spec);
  if (!existsSync(specPath)) throw new MockdriftError('USAGE', `--spec ${spec}: no such file. Pass the provider's OpenAPI document (YAML or JSON).`);
  const specInteractions = await loadFixtureFile(specPath, spec);
  if (specInteractions.some((interaction) => interaction.format !== 'openapi')) {
    throw new MockdriftError('USAGE', `--spec ${spec} is a fixture, not an OpenAPI document. Pass the provider's OpenAPI 3 or Swagger 2.0 document.`);
  }
  const mocks = (await loadRunFixtures(run)).filter((interaction) => interaction.format !== 'openapi');
  const specReport = checkAgainstSpec(mocks, specInteractions, { ignore: ignoreRules(run.config, run.ignore ?? []) });
  let prepared: PreparedCheck;
  try {
    prepared = await prepareCheck(run);
  } catch (error) {
    // No store, or an empty one: the spec alone is the reality of this check.
    if (error instanceof MockdriftError && error.code === 'NOTHING_TO_CHECK') return specReport;
    throw error;
  }
  try {
    return mergeSpecAndRecordings(specReport, checkFixtures(prepared.interactions, prepared.recordings, prepared.options));
  } finally {
    prepared.close();
  }
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
