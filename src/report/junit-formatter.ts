import type { Finding, Report, ReportInteraction } from '../model/finding.js';
import type { ReportFormatter } from './report-formatter.js';
import { expectedObserved, findingSubject, groupBy } from './finding-text.js';
import { baselineLine, fixedEntryText, fixedHint } from './baseline-text.js';

/** One `<testcase>`: an interaction and the findings about it. */
interface TestCase {
  readonly interaction: ReportInteraction;
  readonly findings: Finding[];
}

/**
 * JUnit XML for CI test-report viewers: one `<testsuite>` per fixture file, one `<testcase>` per
 * fixture interaction. Breaking findings are `<failure>`s, warnings and info go to
 * `<system-out>`, and an unverified interaction without a failure is `<skipped>` — nothing was
 * compared, so it neither passed nor failed.
 */
export class JunitFormatter implements ReportFormatter {
  readonly format = 'junit';
  readonly extension = 'xml';

  render(report: Report): string {
    const suites = groupBy(testCases(report), (testCase) => testCase.interaction.fixture);
    const all = [...suites.values()].flat();
    const lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites name="mockdrift"${countAttributes(all)}>`,
      ...baselineProperties(report),
      ...[...suites].flatMap(([file, cases]) => suiteLines(file, cases)),
      ...(report.skippedFiles ?? []).flatMap((skipped) => [
        `  <testsuite name="${attr(skipped.file)}" tests="1" failures="0" errors="0" skipped="1">`,
        `    <testcase classname="${attr(skipped.file)}" name="${attr(skipped.file)}">`,
        `      <skipped message="${attr(`not compared: ${skipped.reason}`)}"/>`,
        '    </testcase>',
        '  </testsuite>',
      ]),
      '</testsuites>',
    ];
    return `${lines.join('\n')}\n`;
  }
}

/**
 * The test cases: every interaction of the report (or, in a hand-built report without
 * `interactions`, those the findings name), each with its findings.
 */
function testCases(report: Report): TestCase[] {
  const cases = (report.interactions ?? interactionsOf(report.findings)).map((interaction) => ({ interaction, findings: [] as Finding[] }));
  const byKey = groupBy(cases, (testCase) => caseKey(testCase.interaction));
  for (const finding of report.findings) {
    const candidates = byKey.get(caseKey(finding));
    if (candidates) {
      ownerOf(candidates, finding).findings.push(finding);
      continue;
    }
    // A finding about an interaction the list lacks still has to fail the build's report.
    const [orphan] = interactionsOf([finding]).map((interaction) => ({ interaction, findings: [finding] }));
    cases.push(orphan!);
    byKey.set(caseKey(finding), [orphan!]);
  }
  return cases;
}

/**
 * Of interactions that look alike (same file, name, route and status), the one a finding belongs
 * to: the last one starting at or before the finding's line, as a finding's line lies within
 * its interaction.
 */
function ownerOf(candidates: readonly TestCase[], finding: Finding): TestCase {
  const before = candidates.filter((testCase) => testCase.interaction.line <= finding.line);
  return before.at(-1) ?? candidates[0]!;
}

function caseKey(item: { fixture: string; interaction: string; route: string; status: number }): string {
  return [item.fixture, item.interaction, item.route, String(item.status)].join('\u0000');
}

/** The interactions a report's findings name, in order of first mention. */
function interactionsOf(findings: readonly Finding[]): ReportInteraction[] {
  const seen = new Map<string, ReportInteraction>();
  for (const finding of findings) {
    const key = caseKey(finding);
    const verified = finding.kind !== 'unverified' && (seen.get(key)?.verified ?? true);
    const { fixture, line, interaction, service, route, status } = finding;
    seen.set(key, { fixture, line: Math.min(line, seen.get(key)?.line ?? line), interaction, service, route, status, verified });
  }
  return [...seen.values()];
}

function suiteLines(file: string, cases: readonly TestCase[]): string[] {
  return [`  <testsuite name="${attr(file)}"${countAttributes(cases)}>`, ...cases.flatMap((testCase) => caseLines(file, testCase)), '  </testsuite>'];
}

/** `tests`, `failures` (failed test cases, as JUnit counts them), `errors` and `skipped`. */
function countAttributes(cases: readonly TestCase[]): string {
  const failures = cases.filter(isFailed).length;
  const skipped = cases.filter((testCase) => !isFailed(testCase) && !testCase.interaction.verified).length;
  return ` tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"`;
}

function isFailed(testCase: TestCase): boolean {
  return testCase.findings.some(fails);
}

/** A breaking finding fails its test case, unless the baseline accepts it. */
function fails(finding: Finding): boolean {
  return finding.severity === 'breaking' && finding.baseline !== 'accepted';
}

/** Under a baseline: its counts as properties (and the fixed entries, with the hint). */
function baselineProperties(report: Report): string[] {
  const baseline = report.baseline;
  if (!baseline) return [];
  const property = (name: string, value: string): string => `    <property name="${attr(name)}" value="${attr(value)}"/>`;
  return [
    '  <properties>',
    property('mockdrift.baseline', baselineLine(report)),
    property('mockdrift.baseline.new', String(baseline.new)),
    property('mockdrift.baseline.accepted', String(baseline.accepted)),
    property('mockdrift.baseline.fixed', String(baseline.fixed.length)),
    ...baseline.fixed.map((entry) => property('mockdrift.baseline.fixed.entry', `${fixedEntryText(entry)}: ${fixedHint(report)}`)),
    '  </properties>',
  ];
}

function caseLines(file: string, { interaction, findings }: TestCase): string[] {
  const name = `${interaction.interaction} — ${interaction.route} → ${interaction.status}`;
  const failures = findings.filter(fails);
  const others = findings.filter((finding) => !fails(finding));
  const body = failures.map(failureLine);
  // A failed case is a failure, not a skip, even when it is also unverified (--require-coverage).
  if (failures.length === 0 && !interaction.verified) body.push(skippedLine(findings));
  if (others.length > 0) body.push(`      <system-out>${text(others.map(outputLine).join('\n'))}</system-out>`);
  const open = `    <testcase classname="${attr(file)}" name="${attr(name)}"`;
  return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>'];
}

function failureLine(finding: Finding): string {
  const message = [finding.kind, findingSubject(finding)].filter((part) => part !== '').join(' ');
  const details = [finding.message, expectedObserved(finding), finding.fix ? `fix: ${finding.fix}` : ''].filter((part) => part !== '').join('\n');
  return `      <failure message="${attr(message)}" type="${attr(finding.kind)}">${text(details)}</failure>`;
}

function skippedLine(findings: readonly Finding[]): string {
  const reason = findings.find((finding) => finding.kind === 'unverified')?.message ?? 'no recording answers this interaction';
  return `      <skipped message="${attr(`unverified: ${reason}`)}"/>`;
}

/** One line of `<system-out>`: severity, kind, path, expected → observed, message and fix. */
function outputLine(finding: Finding): string {
  const head = [finding.baseline === 'accepted' ? 'accepted' : '', finding.severity, finding.kind, findingSubject(finding), expectedObserved(finding)].filter((part) => part !== '').join(' ');
  return `${head}: ${finding.message}${finding.fix ? ` (fix: ${finding.fix})` : ''}`;
}

/**
 * Characters XML 1.0 forbids even as references (controls, lone surrogates, U+FFFE/FFFF): a
 * recorded body may hold them, and one would make the whole file unparseable.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escaped character data. `'` and `"` too, so the same text is safe in attributes. */
function text(value: string): string {
  return value
    .replace(NOT_XML, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** An attribute value: also line breaks and tabs as references, which parsers would otherwise normalize to spaces. */
function attr(value: string): string {
  return text(value).replaceAll('\r', '&#13;').replaceAll('\n', '&#10;').replaceAll('\t', '&#9;');
}

