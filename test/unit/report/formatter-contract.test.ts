import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITY, type Finding, type FindingKind, type Report, type ReportInteraction } from '../../../src/model/finding.js';
import { REPORT_FORMATTERS } from '../../../src/report/formatters.js';

const KINDS = Object.keys(FINDING_SEVERITY) as FindingKind[];
const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(1)> "quotes" |pipes| `ticks` line\nbreak';

/** A finding of `kind` with plausible values; `overrides` win. */
function finding(kind: FindingKind, index: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `id-${kind}-${index}`,
    kind,
    severity: FINDING_SEVERITY[kind],
    fixture: `fixtures/service-${index % 3}/file-${index}.json`,
    line: 3 + index,
    interaction: `interaction ${index}`,
    service: index % 2 === 0 ? 'payments' : null,
    route: `GET /v1/things/${index}`,
    status: 200,
    path: `$.field${index}`,
    ...(kind === 'field-renamed' ? { to: `$.renamed${index}` } : {}),
    expected: kind === 'value-changed' ? 'succeeded' : 'string',
    actual: kind === 'value-changed' ? { nested: ['SUCCEEDED', 1] } : 'absent',
    evidence: { recordings: kind === 'unverified' ? 0 : 40, matching: 0, lastSeen: kind === 'unverified' ? null : '2026-11-20T10:00:00.000Z' },
    message: `the ${kind} message`,
    fix: `the ${kind} fix`,
    ...overrides,
  };
}

/** The interactions a set of findings is about, as checkFixtures would list them. */
function interactionsOf(findings: readonly Finding[]): ReportInteraction[] {
  return findings.map(({ fixture, interaction, service, route, status, kind }) => ({ fixture, line: 2, interaction, service, route, status, verified: kind !== 'unverified' }));
}

function reportOf(findings: readonly Finding[]): Report {
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  const interactions = interactionsOf(findings);
  const unverified = interactions.filter((interaction) => !interaction.verified).length;
  return {
    version: 1,
    summary: { fixtures: interactions.length, verified: interactions.length - unverified, unverified, breaking: count('breaking'), warning: count('warning'), info: count('info') },
    findings,
    interactions,
  };
}

const EMPTY: Report = { version: 1, summary: { fixtures: 0, verified: 0, unverified: 0, breaking: 0, warning: 0, info: 0 }, findings: [] };
const EVERY_KIND = reportOf(KINDS.map((kind, index) => finding(kind, index)));
const HOSTILE_REPORT = reportOf(
  KINDS.map((kind, index) =>
    finding(kind, index, { message: HOSTILE, fix: HOSTILE, path: `$.${HOSTILE}`, expected: HOSTILE, actual: { [HOSTILE]: HOSTILE }, interaction: HOSTILE }),
  ),
);
// A hand-built report need not list its interactions: formatters must cope.
const WITHOUT_INTERACTIONS: Report = { version: 1, summary: EVERY_KIND.summary, findings: EVERY_KIND.findings };

/** The HTML nonce is random per render by design; everything else must be stable. */
function withoutNonce(output: string): string {
  return output.replace(/nonce-[A-Za-z0-9+/=]+/g, 'nonce-N').replace(/nonce="[^"]*"/g, 'nonce="N"');
}

describe.each(Object.values(REPORT_FORMATTERS))('$format formatter contract', (formatter) => {
  it('has a format name and a file extension', () => {
    expect(formatter.format).toMatch(/^[a-z]+$/);
    expect(formatter.extension).toMatch(/^[a-z]+$/);
  });

  it.each([
    ['an empty report', EMPTY],
    ['a report with every finding kind', EVERY_KIND],
    ['a hostile report', HOSTILE_REPORT],
    ['a report without its interaction list', WITHOUT_INTERACTIONS],
  ])('renders %s deterministically, mentioning every fixture and kind', (_name, report) => {
    const output = formatter.render(report);
    expect(output.trim()).not.toBe('');
    expect(withoutNonce(formatter.render(report))).toBe(withoutNonce(output));
    for (const f of report.findings) {
      expect(output).toContain(f.fixture);
      expect(output).toContain(f.kind);
    }
  });
});

describe('the interaction list', () => {
  it('is not part of the JSON contract: the JSON report is the same with or without it', () => {
    const json = REPORT_FORMATTERS.json!;
    expect(json.render(EVERY_KIND)).toBe(json.render(WITHOUT_INTERACTIONS));
    expect(Object.keys(JSON.parse(json.render(EVERY_KIND)) as object)).toEqual(['version', 'summary', 'findings']);
  });
});
