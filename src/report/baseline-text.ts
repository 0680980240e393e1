import { orderedEntry, type BaselineEntry } from '../model/baseline.js';
import type { Finding, Report } from '../model/finding.js';

/** Baseline and time pieces of a report, shared by the formatters. */

/** `new`, `accepted`, `fixed` counts for the JSON summary; nothing without a baseline. */
export function baselineCounts(report: Report): { new?: number; accepted?: number; fixed?: number } {
  if (!report.baseline) return {};
  return { new: report.baseline.new, accepted: report.baseline.accepted, fixed: report.baseline.fixed.length };
}

/** A fixed entry as the JSON report lists it: the entry's fields in a stable order, and the hint. */
export function fixedEntryJson(entry: BaselineEntry): Record<string, unknown> {
  return { ...orderedEntry(entry) };
}

/** One line: `baseline mockdrift-baseline.json: 2 new, 140 accepted, 1 fixed`; '' without a baseline. */
export function baselineLine(report: Report): string {
  const baseline = report.baseline;
  if (!baseline) return '';
  return `baseline ${baseline.file}: ${baseline.new} new, ${baseline.accepted} accepted, ${baseline.fixed.length} fixed`;
}

/** What a fixed entry was about, in a few words: `field-renamed $.transaction_id → $.txn_id in fixtures/a.json ("create")`. */
export function fixedEntryText(entry: BaselineEntry): string {
  const subject = entry.to !== undefined ? `${entry.path ?? ''} → ${entry.to}` : (entry.path ?? '');
  return [entry.kind, subject, `in ${entry.fixture} (${JSON.stringify(entry.interaction)})`].filter((part) => part !== '').join(' ');
}

/** The hint under the fixed entries. */
export function fixedHint(report: Report): string {
  const file = report.baseline?.file ?? 'the baseline';
  return `no longer occurring: remove ${report.baseline?.fixed.length === 1 ? 'it' : 'them'} from ${file} (mockdrift check --write-baseline ${file} does)`;
}

/** The findings that count: all of them, or under a baseline those not accepted. */
export function unaccepted(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.baseline !== 'accepted');
}

/** The findings the baseline accepts. */
export function accepted(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.baseline === 'accepted');
}

/** `since 2026-11-20 10:00 UTC, last agreed 2026-11-19 22:00 UTC`, or '' when the finding has no time facts. */
export function sinceText(finding: Finding): string {
  if (finding.since === undefined) return '';
  const before = finding.since.startsWith('before ');
  const sinceTime = before ? finding.since.slice(7) : finding.since;
  // To the second where the minute alone would not tell the two times apart.
  const seconds = finding.lastAgreed !== undefined && shortTime(sinceTime) === shortTime(finding.lastAgreed);
  const show = (iso: string): string => shortTime(iso, seconds);
  return `since ${before ? 'before ' : ''}${show(sinceTime)}${finding.lastAgreed !== undefined ? `, last agreed ${show(finding.lastAgreed)}` : ''}`;
}

/** An ISO time to the minute, `2026-11-20 10:00 UTC` (or to the second); text that is no time stays as it is. */
export function shortTime(iso: string, seconds = false): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(iso);
  return match ? `${match[1]} ${match[2]}${seconds ? (match[3] ?? ':00') : ''} UTC` : iso;
}
