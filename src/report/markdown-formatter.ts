import { SEVERITIES, type Finding, type Report } from '../model/finding.js';
import type { ReportFormatter } from './report-formatter.js';
import { findingSides, findingSubject, memberText, splitShared } from './finding-text.js';
import { accepted, baselineLine, fixedEntryText, fixedHint, sinceText, unaccepted } from './baseline-text.js';

const FINDING_COLUMNS = ['Severity', 'Kind', 'Fixture', 'Path', 'Fixture has', 'Reality has', 'Evidence'];
/** How many fixtures a shared finding's cell lists before it says how many more. */
const LISTED_MEMBERS = 10;

/**
 * GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY` and pull-request comments: the verdict as
 * a heading, the totals as a table, then one table of findings, breaking first.
 */
export class MarkdownFormatter implements ReportFormatter {
  readonly format = 'markdown';
  readonly extension = 'md';

  render(report: Report): string {
    const blocks = [`## mockdrift: ${verdict(report)}`, summaryTable(report), report.baseline && unaccepted(report.findings).length === 0 ? 'No new findings.' : findingsBlock(unaccepted(report.findings)), ...baselineBlocks(report)];
    const skipped = report.skippedFiles ?? [];
    if (skipped.length > 0) blocks.push(`Skipped files (not compared):\n\n${table(['File', 'Reason'], skipped.map((entry) => [entry.file, entry.reason]))}`);
    return `${blocks.join('\n\n')}\n`;
  }
}

function verdict({ summary }: Report): string {
  if (summary.breaking > 0) return 'drift found';
  return summary.warning > 0 ? 'no breaking drift' : 'no drift';
}

function summaryTable({ summary }: Report): string {
  const header = ['Fixture interactions', 'Verified', 'Unverified', 'Breaking', 'Warning', 'Info'];
  const counts = [summary.fixtures, summary.verified, summary.unverified, summary.breaking, summary.warning, summary.info];
  return table(header, [counts.map(String)]);
}

function findingsBlock(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings: every fixture agrees with the recordings.';
  // One row per cause: findings shared by several fixtures are listed in one row.
  const { shared, single } = splitShared(findings);
  const rows = [
    ...shared.map((group) => ({ finding: group.finding, members: group.members })),
    ...single.map((finding) => ({ finding, members: [finding] })),
  ];
  // Stable sort: within a severity, the check's order (by fixture and line) stays.
  rows.sort((a, b) => SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity));
  return table(FINDING_COLUMNS, rows.map(({ finding, members }) => findingCells(finding, members)));
}

function findingCells(finding: Finding, members: readonly Finding[]): string[] {
  const sides = findingSides(finding);
  const where =
    members.length === 1
      ? `${finding.fixture}:${finding.line}`
      : `${members.length} fixtures: ${members.slice(0, LISTED_MEMBERS).map(memberText).join(', ')}${members.length > LISTED_MEMBERS ? `, … and ${members.length - LISTED_MEMBERS} more` : ''}`;
  return [finding.severity, finding.kind, where, findingSubject(finding), sides.fixture, sides.reality, evidence(finding)];
}

/** Agreeing recordings of all compared: `0 of 40 agree`, and since when. */
function evidence(finding: Finding): string {
  const { matching, recordings } = finding.evidence;
  const since = sinceText(finding);
  const expired = finding.baselineExpired !== undefined ? `; its baseline entry expired ${finding.baselineExpired}` : '';
  return `${recordings > 0 ? `${matching} of ${recordings} agree${since ? `, ${since}` : ''}` : 'no recordings'}${expired}`;
}

/** Under a baseline: the counts, the accepted findings apart, and the fixed entries with the hint. */
function baselineBlocks(report: Report): string[] {
  if (!report.baseline) return [];
  const blocks = [`**${cell(baselineLine(report))}**`];
  const acceptedFindings = accepted(report.findings);
  if (acceptedFindings.length > 0) {
    blocks.push(`<details><summary>Accepted by the baseline (${acceptedFindings.length})</summary>\n\n${table(FINDING_COLUMNS, acceptedFindings.map((finding) => findingCells(finding, [finding])))}\n\n</details>`);
  }
  if (report.baseline.fixed.length > 0) {
    blocks.push([`Fixed (${report.baseline.fixed.length}), ${cell(fixedHint(report))}:`, ...report.baseline.fixed.map((entry) => `- ${cell(fixedEntryText(entry))}`)].join('\n'));
  }
  return blocks;
}

/** A GFM table; every cell is escaped, so a row always has as many cells as the header. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [row(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');
}

/**
 * One cell's text, inert: a pipe would split the cell, a line break end the row, `<`/`>` open
 * HTML, and the other characters start emphasis, code, links, strikethrough or (on GitHub) math.
 * The backslash goes first so the escapes added after it stay escapes.
 */
function cell(value: string): string {
  return value
    .replace(/[\\`*_[\]|~$]/g, (char) => `\\${char}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, '<br>');
}
