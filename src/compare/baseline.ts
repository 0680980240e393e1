import { orderedEntry, type BaselineEntry } from '../model/baseline.js';
import { MockdriftError } from '../model/errors.js';
import type { Finding, Report } from '../model/finding.js';

/** The default baseline file, relative to the working directory. */
export const DEFAULT_BASELINE_FILE = 'mockdrift-baseline.json';

/** The version of the baseline file format this mockdrift writes and reads. */
const BASELINE_VERSION = 1;

/** What a baseline entry is keyed by: what identifies a drift, never a line number. */
type Keyed = Pick<BaselineEntry, 'service' | 'fixture' | 'interaction' | 'kind' | 'path' | 'to'>;

/** The identity of a drift, shared by a finding and the baseline entry that accepts it. */
export function baselineKey(item: Keyed): string {
  return JSON.stringify([item.service ?? null, item.fixture, item.interaction, item.kind, item.path ?? '', item.to ?? '']);
}

/**
 * Reads a baseline file's text.
 * @param file named in errors.
 * @throws MockdriftError `BASELINE_INVALID` when it is not JSON, not a baseline, or an entry is malformed.
 */
export function parseBaseline(text: string, file: string): BaselineEntry[] {
  const invalid = (why: string): MockdriftError =>
    new MockdriftError('BASELINE_INVALID', `The baseline ${file} ${why}. Fix it, or write it anew with mockdrift check --write-baseline ${file}.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MockdriftError('BASELINE_INVALID', `The baseline ${file} is not valid JSON (${(error as Error).message}). Fix it, or write it anew with mockdrift check --write-baseline ${file}.`, { cause: error });
  }
  if (!isObject(parsed) || !Array.isArray(parsed['accepted'])) throw invalid('is not a mockdrift baseline (no "accepted" list)');
  if (parsed['version'] !== BASELINE_VERSION) throw invalid(`has version ${JSON.stringify(parsed['version'])}; this mockdrift reads version ${BASELINE_VERSION}`);
  return (parsed['accepted'] as unknown[]).map((raw, index) => {
    const at = `entry ${index + 1}`;
    if (!isObject(raw)) throw invalid(`has an ${at} that is not an object`);
    for (const name of ['fixture', 'interaction', 'kind'] as const) {
      if (typeof raw[name] !== 'string' || (raw[name] === '' && name !== 'interaction')) throw invalid(`has an ${at} without a "${name}" string`);
    }
    if (raw['service'] !== undefined && raw['service'] !== null && typeof raw['service'] !== 'string') throw invalid(`has an ${at} whose "service" is not a string`);
    for (const name of ['path', 'to', 'reason', 'expires'] as const) {
      if (raw[name] !== undefined && typeof raw[name] !== 'string') throw invalid(`has an ${at} whose "${name}" is not a string`);
    }
    if (typeof raw['expires'] === 'string' && expiryTime(raw['expires']) === undefined) {
      throw invalid(`has an ${at} whose "expires" (${JSON.stringify(raw['expires'])}) is not a date such as 2026-12-31`);
    }
    return orderedEntry({
      service: (raw['service'] as string | null | undefined) ?? null,
      fixture: raw['fixture'] as string,
      interaction: raw['interaction'] as string,
      kind: raw['kind'] as string,
      ...(raw['path'] !== undefined ? { path: raw['path'] as string } : {}),
      ...(raw['to'] !== undefined ? { to: raw['to'] as string } : {}),
      ...(raw['reason'] !== undefined ? { reason: raw['reason'] as string } : {}),
      ...(raw['expires'] !== undefined ? { expires: raw['expires'] as string } : {}),
    });
  });
}

/**
 * When an `expires` value stops accepting, ms since the epoch: a date alone (`2026-12-31`) lasts
 * to the end of that day (UTC); a full time is taken as it is. Undefined when it is no date.
 */
export function expiryTime(expires: string): number | undefined {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(expires);
  const time = Date.parse(dateOnly ? `${expires}T00:00:00Z` : expires);
  if (Number.isNaN(time)) return undefined;
  return dateOnly ? time + 86_400_000 : time;
}

/**
 * Applies a baseline to a report: each finding becomes `new` or `accepted` (an expired entry
 * accepts nothing, and the finding says so); entries about checked interactions whose drift no
 * longer occurs are `fixed`. Entries about fixtures this run did not check are left alone.
 * @param now the time expiries are judged at, ms since the epoch. Default: now.
 */
export function applyBaseline(report: Report, entries: readonly BaselineEntry[], file: string, now = Date.now()): Report {
  const byKey = new Map(entries.map((entry) => [baselineKey(entry), entry]));
  const occurring = new Set<string>();
  let accepted = 0;
  const findings = report.findings.map((finding): Finding => {
    const key = baselineKey(finding);
    occurring.add(key);
    const entry = byKey.get(key);
    const expires = entry?.expires === undefined ? undefined : expiryTime(entry.expires);
    if (entry && (expires === undefined || now < expires)) {
      accepted += 1;
      return { ...finding, baseline: 'accepted' };
    }
    if (entry) {
      return { ...finding, baseline: 'new', baselineExpired: entry.expires!, message: `${finding.message} The baseline ${file} accepted it until ${entry.expires}; that has expired.` };
    }
    return { ...finding, baseline: 'new' };
  });
  const checked = checkedInteractions(report);
  const fixed = entries.filter((entry) => !occurring.has(baselineKey(entry)) && (checked === undefined || checked.has(interactionKey(entry))));
  return { ...report, findings, baseline: { file, new: findings.length - accepted, accepted, fixed: sortEntries(fixed) } };
}

/**
 * The baseline that accepts a report's current breaking and warning findings, as the stable,
 * sorted text of the file. Entries of `previous` keep their `reason` and `expires`; those about
 * checked interactions whose drift no longer occurs are dropped; those about fixtures this run
 * did not check are kept as they are.
 */
export function writeBaseline(report: Report, previous: readonly BaselineEntry[] = []): string {
  const before = new Map(previous.map((entry) => [baselineKey(entry), entry]));
  const entries = new Map<string, BaselineEntry>();
  for (const finding of report.findings) {
    if (finding.severity === 'info') continue;
    const key = baselineKey(finding);
    const old = before.get(key);
    entries.set(
      key,
      orderedEntry({
        service: finding.service,
        fixture: finding.fixture,
        interaction: finding.interaction,
        kind: finding.kind,
        ...(finding.path !== undefined ? { path: finding.path } : {}),
        ...(finding.to !== undefined ? { to: finding.to } : {}),
        ...(old?.reason !== undefined ? { reason: old.reason } : {}),
        ...(old?.expires !== undefined ? { expires: old.expires } : {}),
      }),
    );
  }
  const checked = checkedInteractions(report);
  for (const [key, entry] of before) {
    if (!entries.has(key) && checked !== undefined && !checked.has(interactionKey(entry))) entries.set(key, entry);
  }
  return `${JSON.stringify({ version: BASELINE_VERSION, accepted: sortEntries([...entries.values()]) }, null, 2)}\n`;
}


function sortEntries(entries: readonly BaselineEntry[]): BaselineEntry[] {
  const text = (value: string | null | undefined): string => value ?? '';
  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries].sort(
    (a, b) =>
      compare(a.fixture, b.fixture) ||
      compare(a.interaction, b.interaction) ||
      compare(a.kind, b.kind) ||
      compare(text(a.path), text(b.path)) ||
      compare(text(a.to), text(b.to)) ||
      compare(text(a.service), text(b.service)),
  );
}

/** The interactions a report checked, by fixture file and name; undefined when it does not list them. */
function checkedInteractions(report: Report): Set<string> | undefined {
  if (!report.interactions) return undefined;
  return new Set(report.interactions.map(interactionKey));
}

function interactionKey(item: { readonly fixture: string; readonly interaction: string }): string {
  return JSON.stringify([item.fixture, item.interaction]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
