import type { Finding, Report } from '../model/finding.js';
import { baselineCounts, fixedEntryJson } from './baseline-text.js';
import type { ReportFormatter } from './report-formatter.js';

/**
 * The JSON report: the contract for tooling, versioned, with exactly the fields of SPEC §6 in a
 * stable order. `path`, `to`, `expected` and `actual` appear only where they mean something;
 * `group` is shared by the findings of one cause across fixtures.
 */
export class JsonFormatter implements ReportFormatter {
  readonly format = 'json';
  readonly extension = 'json';

  render(report: Report): string {
    const { summary } = report;
    return `${JSON.stringify(
      {
        version: report.version,
        summary: {
          fixtures: summary.fixtures,
          verified: summary.verified,
          unverified: summary.unverified,
          breaking: summary.breaking,
          warning: summary.warning,
          info: summary.info,
          ...baselineCounts(report),
        },
        findings: report.findings.map(toJson),
        ...(report.skippedFiles && report.skippedFiles.length > 0 ? { skippedFiles: report.skippedFiles.map(({ file, reason }) => ({ file, reason })) } : {}),
        ...(report.baseline ? { fixed: report.baseline.fixed.map(fixedEntryJson) } : {}),
      },
      null,
      2,
    )}\n`;
  }
}

function toJson(finding: Finding): Record<string, unknown> {
  return {
    id: finding.id,
    kind: finding.kind,
    severity: finding.severity,
    fixture: finding.fixture,
    line: finding.line,
    interaction: finding.interaction,
    service: finding.service,
    route: finding.route,
    status: finding.status,
    ...(finding.path !== undefined ? { path: finding.path } : {}),
    ...(finding.to !== undefined ? { to: finding.to } : {}),
    ...(finding.expected !== undefined ? { expected: finding.expected } : {}),
    ...(finding.actual !== undefined ? { actual: finding.actual } : {}),
    evidence: { recordings: finding.evidence.recordings, matching: finding.evidence.matching, lastSeen: finding.evidence.lastSeen },
    message: finding.message,
    ...(finding.source !== undefined ? { source: finding.source } : {}),
    ...(finding.since !== undefined ? { since: finding.since } : {}),
    ...(finding.lastAgreed !== undefined ? { lastAgreed: finding.lastAgreed } : {}),
    ...(finding.baseline !== undefined ? { baseline: finding.baseline } : {}),
    ...(finding.group !== undefined ? { group: finding.group } : {}),
  };
}
