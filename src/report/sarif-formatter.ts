import { FINDING_SEVERITY, type Finding, type FindingKind, type Report, type Severity } from '../model/finding.js';
import type { BaselineEntry } from '../model/baseline.js';
import { baselineCounts, fixedEntryText, fixedHint } from './baseline-text.js';
import type { ReportFormatter } from './report-formatter.js';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { breaking: 'error', warning: 'warning', info: 'note' };

/** One sentence per kind, for the rule's short description. */
const RULE_DESCRIPTION: Record<FindingKind, string> = {
  'field-moved': 'A field of the fixture appears under another parent in reality, with the same value.',
  'field-renamed': 'A field of the fixture appears under another name in reality.',
  'field-missing': 'A field of the fixture is absent from every recording.',
  'type-changed': 'A field has another type in reality than in the fixture.',
  'status-changed': 'Reality answers the request with another status than the fixture.',
  'content-type-changed': 'Reality answers with another content type than the fixture.',
  'value-changed': 'A value the fixture pins is one reality never produces.',
  'field-optional': 'A field the fixture always has is sometimes absent in reality.',
  'field-nullable': 'A field the fixture never nulls is sometimes null in reality.',
  'format-changed': 'A string field has another format in reality (date vs date-time, …).',
  'header-missing': 'A response header of the fixture is absent from every recording.',
  'stale-recording': 'The newest recording of the route is older than --max-age.',
  'field-added': 'Reality has a field the fixture does not.',
  unverified: 'No recording answers the fixture interaction, so nothing was compared.',
};

/**
 * SARIF 2.1.0 for code-scanning annotations: one run, one rule per finding kind used, one result
 * per finding pointing at the fixture file's line. The finding id is the partial fingerprint, so
 * the same drift keeps its alert across runs.
 */
export class SarifFormatter implements ReportFormatter {
  readonly format = 'sarif';
  readonly extension = 'sarif';

  render(report: Report): string {
    const kinds = rulesUsed(report.findings, report.baseline?.fixed ?? []);
    const sarif = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          // No informationUri: the tool must not point readers anywhere the report does not control.
          tool: { driver: { name: 'mockdrift', rules: kinds.map(rule) } },
          results: [
            ...report.findings.map((finding) => result(finding, kinds.indexOf(finding.kind))),
            ...(report.baseline?.fixed ?? []).filter((entry) => kinds.includes(entry.kind as FindingKind)).map((entry) => absentResult(report, entry, kinds)),
          ],
          ...(report.baseline ? { properties: { baseline: { file: report.baseline.file, ...baselineCounts(report) } } } : {}),
          ...((report.skippedFiles ?? []).length > 0
            ? {
                invocations: [
                  {
                    executionSuccessful: true,
                    toolExecutionNotifications: (report.skippedFiles ?? []).map((skipped) => ({
                      level: 'note',
                      message: { text: `Skipped ${skipped.file}: ${skipped.reason}` },
                      locations: [{ physicalLocation: { artifactLocation: { uri: skipped.file } } }],
                    })),
                  },
                ],
              }
            : {}),
        },
      ],
    };
    return `${JSON.stringify(sarif, null, 2)}\n`;
  }
}

/** The kinds the findings use, in the order FINDING_SEVERITY lists them (stable across runs). */
function rulesUsed(findings: readonly Finding[], fixed: readonly BaselineEntry[]): FindingKind[] {
  const used = new Set<string>([...findings.map((finding) => finding.kind), ...fixed.map((entry) => entry.kind)]);
  return (Object.keys(FINDING_SEVERITY) as FindingKind[]).filter((kind) => used.has(kind));
}

function rule(kind: FindingKind): Record<string, unknown> {
  return {
    id: kind,
    shortDescription: { text: RULE_DESCRIPTION[kind] },
    defaultConfiguration: { level: LEVEL[FINDING_SEVERITY[kind]] },
  };
}

function result(finding: Finding, ruleIndex: number): Record<string, unknown> {
  return {
    ruleId: finding.kind,
    ruleIndex,
    // The finding's own severity: `unverified` is breaking under --require-coverage.
    level: LEVEL[finding.severity],
    message: { text: finding.fix ? `${finding.message} Fix: ${finding.fix}` : finding.message },
    // Under a baseline: accepted drift is what code scanning calls unchanged.
    ...(finding.baseline !== undefined ? { baselineState: finding.baseline === 'accepted' ? 'unchanged' : 'new' } : {}),
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(finding.fixture) },
          region: { startLine: Math.max(1, finding.line) },
        },
      },
    ],
    partialFingerprints: { mockdriftFindingId: finding.id },
    properties: {
      severity: finding.severity,
      interaction: finding.interaction,
      route: finding.route,
      status: finding.status,
      ...(finding.path !== undefined ? { path: finding.path } : {}),
      ...(finding.to !== undefined ? { to: finding.to } : {}),
      evidence: finding.evidence,
      ...(finding.since !== undefined ? { since: finding.since } : {}),
      ...(finding.lastAgreed !== undefined ? { lastAgreed: finding.lastAgreed } : {}),
    },
  };
}

/** A baseline entry whose drift no longer occurs: a result in state `absent`, at the top of its fixture file. */
function absentResult(report: Report, entry: BaselineEntry, kinds: readonly FindingKind[]): Record<string, unknown> {
  const kind = entry.kind as FindingKind;
  return {
    ruleId: kind,
    ruleIndex: kinds.indexOf(kind),
    level: 'none',
    baselineState: 'absent',
    message: { text: `Fixed: ${fixedEntryText(entry)}; ${fixedHint(report)}.` },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(entry.fixture) }, region: { startLine: 1 } } }],
    properties: { interaction: entry.interaction, ...(entry.path !== undefined ? { path: entry.path } : {}), ...(entry.to !== undefined ? { to: entry.to } : {}) },
  };
}

/**
 * A relative URI reference for the fixture: forward slashes, each segment percent-encoded so a
 * space, `#`, `?` or `:` in a file name cannot change what the URI means.
 */
function artifactUri(fixture: string): string {
  return fixture.replaceAll('\\', '/').split('/').map(encodeURIComponent).join('/');
}
