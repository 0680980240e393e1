import type { Finding, Report, Severity } from '../model/finding.js';
import type { FormatOptions, ReportFormatter } from './report-formatter.js';
import { accepted, baselineLine, fixedEntryText, fixedHint, sinceText, unaccepted } from './baseline-text.js';
import { agreementText, findingSubject, groupBy, memberText, sharedFix, sidesText, splitShared, type SharedFinding } from './finding-text.js';

/** How many fixtures a shared finding lists before it says how many more. */
const LISTED_MEMBERS = 20;

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
    const { shared, single } = splitShared(unaccepted(report.findings));
    if (shared.length > 0) {
      lines.push(paint(1, 'Across fixtures (one cause, many fixtures)'));
      for (const group of shared) lines.push(...sharedLines(group, paint));
      lines.push('');
    }
    for (const [file, findings] of groupBy(single, (finding) => finding.fixture)) {
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
  const lines = [`    ${headText(finding, paint)}`];
  if (finding.kind === 'unverified' || finding.kind === 'status-changed') lines.push(`      ${finding.message}`);
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

function headText(finding: Finding, paint: (code: number, text: string) => string): string {
  const subject = findingSubject(finding);
  const what = finding.kind === 'unverified' ? 'no recording to compare with' : sidesText(finding);
  const since = sinceText(finding);
  const evidence = finding.evidence.recordings > 0 ? ` ${paint(2, `(${agreementText(finding)}${since ? `; ${since}` : ''})`)}` : '';
  const head = paint(COLOR[finding.severity], `${MARK[finding.severity]} ${finding.severity.padEnd(8)} ${finding.kind.padEnd(20)}`);
  return `${head} ${subject ? `${subject}: ` : ''}${what}${evidence}`;
}

/** One cause in many fixtures: once, with how many and which. */
function sharedLines(group: SharedFinding, paint: (code: number, text: string) => string): string[] {
  const { finding, members } = group;
  const service = finding.service ? ` [${finding.service}]` : '';
  const lines = [`  ${headText(finding, paint)}`, `    in ${members.length} fixtures${service}:`];
  for (const member of members.slice(0, LISTED_MEMBERS)) lines.push(`      - ${memberText(member)}`);
  if (members.length > LISTED_MEMBERS) lines.push(`      … and ${members.length - LISTED_MEMBERS} more`);
  const fix = sharedFix(finding);
  if (fix) lines.push(`    fix: ${fix}`);
  return lines;
}

function summaryLine(report: Report, paint: (code: number, text: string) => string): string {
  const { summary } = report;
  const fixtures = `${summary.fixtures} fixture interaction${summary.fixtures === 1 ? '' : 's'} (${summary.verified} verified, ${summary.unverified} unverified)`;
  const counts = `${summary.breaking} breaking, ${summary.warning} warning${summary.warning === 1 ? '' : 's'}, ${summary.info} info`;
  const verdict = summary.breaking > 0 ? paint(31, 'drift found') : summary.warning > 0 ? paint(33, 'no breaking drift') : paint(32, 'no drift');
  return `${verdict}: ${fixtures}; ${counts}`;
}

