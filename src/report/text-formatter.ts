import type { Finding, Report, Severity } from '../model/finding.js';
import type { FormatOptions, ReportFormatter } from './report-formatter.js';
import { expectedObserved, findingSubject, groupBy } from './finding-text.js';
import { accepted, baselineLine, fixedEntryText, fixedHint, sinceText, unaccepted } from './baseline-text.js';

const MARK: Record<Severity, string> = { breaking: '✖', warning: '▲', info: '·' };
const COLOR: Record<Severity, number> = { breaking: 31, warning: 33, info: 2 };
const SEVERITY_ORDER: Record<Severity, number> = { breaking: 0, warning: 1, info: 2 };

/**
 * The report a person reads first: grouped by fixture file and interaction, one block per
 * finding with what the fixture expects, what reality does, how many recordings say so, and the
 * change to make.
 */
export class TextFormatter implements ReportFormatter {
  readonly format = 'text';
  readonly extension = 'txt';

  render(report: Report, options: FormatOptions = {}): string {
    const paint = (code: number, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
    const lines: string[] = [];
    for (const [file, findings] of groupBy(unaccepted(report.findings), (finding) => finding.fixture)) {
      lines.push(paint(1, file));
      for (const [, interactionFindings] of groupBy(findings, (finding) => `${finding.interaction}\u0000${finding.route}\u0000${finding.status}`)) {
        const first = interactionFindings[0]!;
        const service = first.service ? ` [${first.service}]` : '';
        lines.push(`  ${first.interaction} — ${first.route} → ${first.status}${service}`);
        const ordered = [...interactionFindings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.line - b.line);
        for (const finding of ordered) lines.push(...findingLines(finding, paint));
      }
      lines.push('');
    }
    for (const skipped of report.skippedFiles ?? []) lines.push(paint(2, `skipped ${skipped.file}: ${skipped.reason}`));
    if ((report.skippedFiles ?? []).length > 0) lines.push('');
    lines.push(...baselineLines(report, paint));
    lines.push(summaryLine(report, paint));
    return `${lines.join('\n')}\n`;
  }
}

/**
 * One line per finding — severity, kind, path, expected → observed, evidence — and the fix on
 * the line below it.
 */
function findingLines(finding: Finding, paint: (code: number, text: string) => string): string[] {
  const change = expectedObserved(finding);
  const what = [findingSubject(finding), change].filter((part) => part !== '').join(': ') || finding.message;
  const { recordings, matching, lastSeen } = finding.evidence;
  const since = sinceText(finding);
  const evidence =
    recordings > 0 ? ` ${paint(2, `(seen in ${matching} of ${recordings} recording${recordings === 1 ? '' : 's'}${lastSeen ? `, last ${lastSeen.slice(0, 10)}` : ''}${since ? `; ${since}` : ''})`)}` : '';
  const head = paint(COLOR[finding.severity], `${MARK[finding.severity]} ${finding.severity.padEnd(8)} ${finding.kind.padEnd(20)}`);
  const lines = [`    ${head} ${what}${evidence}`];
  if (finding.fix) lines.push(`      fix: ${finding.fix}`);
  if (finding.baselineExpired !== undefined) lines.push(`      baseline: ${expiredNote(finding)}`);
  return lines;
}

/** Why a finding the baseline names fails all the same. */
function expiredNote(finding: Finding): string {
  return `accepted it until ${finding.baselineExpired}; that has expired`;
}

/** Under a baseline: the accepted findings apart, one line each, then the fixed entries with the hint. */
function baselineLines(report: Report, paint: (code: number, text: string) => string): string[] {
  if (!report.baseline) return [];
  const lines: string[] = [];
  const acceptedFindings = accepted(report.findings);
  if (acceptedFindings.length > 0) {
    lines.push(paint(1, `Accepted by the baseline ${report.baseline.file} (${acceptedFindings.length}, not failing):`));
    for (const finding of acceptedFindings) {
      const subject = findingSubject(finding);
      lines.push(`  ${paint(2, `${finding.severity.padEnd(8)} ${finding.kind.padEnd(20)}`)} ${subject ? `${subject} ` : ''}${finding.fixture}:${finding.line}`);
    }
    lines.push('');
  }
  if (report.baseline.fixed.length > 0) {
    lines.push(paint(1, `Fixed since the baseline (${report.baseline.fixed.length}), ${fixedHint(report)}:`));
    for (const entry of report.baseline.fixed) lines.push(`  ${paint(32, '✔')} ${fixedEntryText(entry)}`);
    lines.push('');
  }
  lines.push(baselineLine(report));
  return lines;
}

function summaryLine(report: Report, paint: (code: number, text: string) => string): string {
  const { summary } = report;
  const fixtures = `${summary.fixtures} fixture interaction${summary.fixtures === 1 ? '' : 's'} (${summary.verified} verified, ${summary.unverified} unverified)`;
  const counts = `${summary.breaking} breaking, ${summary.warning} warning${summary.warning === 1 ? '' : 's'}, ${summary.info} info`;
  const verdict = summary.breaking > 0 ? paint(31, 'drift found') : summary.warning > 0 ? paint(33, 'no breaking drift') : paint(32, 'no drift');
  return `${verdict}: ${fixtures}; ${counts}`;
}

