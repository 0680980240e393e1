import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkFixtures, type CheckOptions, type Recordings } from './compare/check-fixtures.js';
import { IgnoreRules, type IgnoreRule } from './compare/ignore-rules.js';
import { checkAgainstSpec, mergeSpecAndRecordings } from './compare/check-against-spec.js';
import { loadFixtureFile, loadFixtureSet } from './formats/load-fixtures.js';
import { MockdriftError } from './model/errors.js';
import type { Report, SkippedFixtureFile } from './model/finding.js';
import type { FixtureInteraction } from './model/fixture.js';
import { RouteTemplate } from './model/route.js';
import { openRecordingStore } from './store/open-recording-store.js';
import { isPostgresLocation, resolveStoreLocation, storeLabel } from './store/store-location.js';
import { loadConfig, type MockdriftConfig } from './config.js';
import { durationMs } from './model/duration.js';
import { REPORT_FORMATTERS } from './report/formatters.js';
import { DEFAULT_STORE_PATH } from './store/recording-store.js';

/** The report formats of `check --format`. */
export type ReportFormat = 'text' | 'json' | 'junit' | 'markdown' | 'html' | 'sarif';

/**
 * The options of {@link check}: the flags of `mockdrift check`, in camelCase, with the same
 * defaults. A value left out is taken from the config (as a flag would be), then from the default.
 */
export interface CheckApiOptions {
  /** The project directory: fixtures, the store and the config are found from it. Default: `process.cwd()`. */
  readonly cwd?: string;
  /**
   * The config: a file (relative to `cwd`), or the config itself. Default: as the CLI,
   * `mockdrift.config.json` in `cwd`, else the `mockdrift` key of its package.json, else none.
   */
  readonly config?: string | MockdriftConfig;
  /** The SQLite store of recordings. Default: `recordings/mockdrift.db`. */
  readonly db?: string;
  /** Fixture files, directories or globs. Default: `fixtures/`. */
  readonly fixtures?: readonly string[];
  /** Only this service, on both sides. Default: every service. */
  readonly service?: string;
  /** Body paths to leave alone, e.g. `$.meta.request_id`. Default: none. */
  readonly ignore?: readonly string[];
  /** Fixtures no recording matches count as breaking. Default: false. */
  readonly requireCoverage?: boolean;
  /** Only recordings newer than this count: a duration (`'7d'`) or milliseconds. Default: all. */
  readonly since?: string | number;
  /** Warn when the newest matching recording is older: a duration (`'30d'`) or milliseconds. Default: never. */
  readonly maxAge?: string | number;
  /** The provider's OpenAPI document, checked against as reality (`--spec`). Default: none. */
  readonly spec?: string;
}

/**
 * Runs a drift check, as `mockdrift check` does, and returns its report: the data of
 * `mockdrift check --format json` (same `version`, `summary` and `findings`). Drift is data: a
 * report with breaking findings is returned, not thrown; decide with `report.summary.breaking`.
 * Reads no environment variables (the CLI's `MOCKDRIFT_*` are the CLI's).
 * @throws MockdriftError `USAGE`, `CONFIG_INVALID`, `FIXTURE_INVALID`, `STORE_*` when the check
 *   cannot run, `NOTHING_TO_CHECK` when there is no store or no recording.
 */
export async function check(options: CheckApiOptions = {}): Promise<Report> {
  return runCheck(resolveCheckRun(options));
}

/**
 * Renders a report in one of the report formats (`text`, `json`, `junit`, `markdown`, `html`,
 * `sarif`), exactly as `check --format` prints it. `color` (ANSI, text only) defaults to false.
 * @throws MockdriftError `USAGE` for an unknown format.
 */
export function formatReport(report: Report, format: ReportFormat, options: { readonly color?: boolean } = {}): string {
  const formatter = Object.hasOwn(REPORT_FORMATTERS, format) ? REPORT_FORMATTERS[format] : undefined;
  if (!formatter) {
    throw new MockdriftError('USAGE', `formatReport: "${String(format)}" is not a report format; use one of ${Object.keys(REPORT_FORMATTERS).join(', ')}`);
  }
  return formatter.render(report, { color: options.color ?? false });
}

/** Turns the library's options into a run: the config read, its flag keys as defaults. */
export function resolveCheckRun(options: CheckApiOptions): CheckRun {
  const cwd = resolve(options.cwd ?? process.cwd());
  const config = typeof options.config === 'object' && options.config !== null ? options.config : loadConfig(options.config, cwd).config;
  const pick = <T>(key: keyof CheckApiOptions & string, given: T | undefined): T | undefined => (given !== undefined ? given : (config[key] as T | undefined));
  const fixtures = pick<string | readonly string[]>('fixtures', options.fixtures);
  const service = pick<string>('service', options.service);
  const since = pick<string | number>('since', options.since);
  const maxAge = pick<string | number>('maxAge', options.maxAge ?? (config['max-age'] as string | number | undefined));
  const spec = pick<string>('spec', options.spec);
  const requireCoverage = pick<boolean>('requireCoverage', options.requireCoverage ?? (config['require-coverage'] as boolean | undefined));
  return {
    cwd,
    db: pick<string>('db', options.db) ?? DEFAULT_STORE_PATH,
    config,
    fixtures: fixtures === undefined ? [] : typeof fixtures === 'string' ? [fixtures] : [...fixtures],
    ...(service !== undefined ? { service } : {}),
    // The config's `ignore` is a section of rules of its own, read by prepareCheck.
    ignore: options.ignore ?? [],
    ...(since !== undefined ? { sinceMs: durationOption('since', since) } : {}),
    ...(maxAge !== undefined ? { maxAgeMs: durationOption('maxAge', maxAge) } : {}),
    requireCoverage: requireCoverage ?? false,
    ...(spec !== undefined ? { spec } : {}),
  };
}

function durationOption(name: string, value: string | number): number {
  const ms = typeof value === 'number' ? value : durationMs(value);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw new MockdriftError('USAGE', `${name}: "${String(value)}" is not a duration; use e.g. '30s', '7d' or a number of milliseconds`);
  }
  return ms;
}

/** How many recorded bodies are read per group when values must be compared. */
const SAMPLE_BODIES = 20;
/** How many distinct recorded requests of a route are read to find a fixture's own request. */
const RECORDED_REQUESTS = 500;

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
  /** Files found while scanning that were not compared (see loadFixtureSet). */
  readonly skipped?: readonly SkippedFixtureFile[];
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
    const report = checkFixtures(prepared.interactions, prepared.recordings, prepared.options);
    return prepared.skipped && prepared.skipped.length > 0 ? { ...report, skippedFiles: prepared.skipped } : report;
  } finally {
    prepared.close();
  }
}

/** Loads the fixtures and opens the store for a comparison (see {@link runCheck} for the errors). */
export async function prepareCheck(run: CheckRun): Promise<PreparedCheck> {
  const config = run.config;
  const templates = parseTemplates(config.routes ?? []);
  const ignore = ignoreRules(config, run.ignore ?? []);
  const { interactions, skipped } = await loadRunFixtureSet(run);

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
      skipped,
      recordings: {
        groups,
        samples: (selector) => store.sampleBodies({ ...selector, ...(since !== undefined ? { since } : {}) }, SAMPLE_BODIES),
        requests: (selector) => store.recordedRequests({ ...selector, ...(since !== undefined ? { since } : {}) }, RECORDED_REQUESTS),
        nearestRecordingOf: (selector, shapes, time, direction) => store.nearestRecordingOf({ ...selector, ...(since !== undefined ? { since } : {}) }, shapes, time, direction),
      },
      options: {
        templates,
        ignore,
        enums: config.enums ?? [],
        headers: config.headers ?? [],
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
  return (await loadRunFixtureSet(run)).interactions;
}

/** {@link loadRunFixtures}, with the files found by scanning that were skipped. */
export async function loadRunFixtureSet(
  run: Pick<CheckRun, 'cwd' | 'config' | 'fixtures' | 'service'>,
): Promise<{ interactions: FixtureInteraction[]; skipped: SkippedFixtureFile[] }> {
  const serviceGlobs = Object.fromEntries(
    Object.entries(run.config.services ?? {}).flatMap(([name, service]) => (service.fixtures ? [[name, service.fixtures]] : [])),
  );
  const { interactions, skipped } = await loadFixtureSet(run.fixtures, { cwd: run.cwd, serviceGlobs });
  const kept = run.service === undefined ? interactions : interactions.filter((interaction) => interaction.service === null || interaction.service === run.service);
  return { interactions: kept, skipped };
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
