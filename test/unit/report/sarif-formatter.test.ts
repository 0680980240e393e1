import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITY, type Finding, type FindingKind, type Report } from '../../../src/model/finding.js';
import { SarifFormatter } from '../../../src/report/sarif-formatter.js';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
  partialFingerprints: Record<string, string>;
}
interface Sarif {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; informationUri?: string; rules: Array<{ id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }> } };
    results: SarifResult[];
  }>;
}

function finding(kind: FindingKind, line: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `id-${kind}-${line}`,
    kind,
    severity: FINDING_SEVERITY[kind],
    fixture: 'fixtures/payments/charges.json',
    line,
    interaction: 'create a charge',
    service: 'payments',
    route: 'POST /v1/charges',
    status: 201,
    path: '$.amount',
    expected: 'number',
    actual: 'string',
    evidence: { recordings: 40, matching: 0, lastSeen: '2026-11-20T10:00:00.000Z' },
    message: `${kind} happened.`,
    fix: `undo ${kind}`,
    ...overrides,
  };
}

function render(findings: Finding[]): Sarif {
  const report: Report = { version: 1, summary: { fixtures: 3, verified: 3, unverified: 0, breaking: 0, warning: 0, info: 0 }, findings };
  return JSON.parse(new SarifFormatter().render(report)) as Sarif;
}

describe('SarifFormatter', () => {
  it('is SARIF 2.1.0 with one run of the mockdrift driver and no external information URI', () => {
    const sarif = render([]);
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0]!.tool.driver).toEqual({ name: 'mockdrift', rules: [] });
    expect(sarif.runs[0]!.results).toEqual([]);
  });

  it('has one result per finding, at the fixture file and line, fingerprinted by the finding id', () => {
    const findings = [finding('field-renamed', 18), finding('field-nullable', 20), finding('field-added', 15), finding('field-renamed', 23)];
    const [run] = render(findings).runs;
    expect(run!.results).toHaveLength(4);
    expect(run!.results.map((result) => [result.ruleId, result.level, result.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['field-renamed', 'error', 18],
      ['field-nullable', 'warning', 20],
      ['field-added', 'note', 15],
      ['field-renamed', 'error', 23],
    ]);
    for (const [index, result] of run!.results.entries()) {
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe('fixtures/payments/charges.json');
      expect(result.partialFingerprints).toEqual({ mockdriftFindingId: findings[index]!.id });
      expect(run!.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
    }
    expect(run!.results[0]!.message.text).toBe('field-renamed happened. Fix: undo field-renamed');
  });

  it('declares one rule per kind used, with its description and default level', () => {
    const [run] = render([finding('field-added', 1), finding('type-changed', 2), finding('field-added', 3), finding('unverified', 4, { severity: 'breaking' })]).runs;
    expect(run!.tool.driver.rules.map((rule) => [rule.id, rule.defaultConfiguration.level])).toEqual([
      ['type-changed', 'error'],
      ['field-added', 'note'],
      ['unverified', 'note'],
    ]);
    for (const rule of run!.tool.driver.rules) expect(rule.shortDescription.text).not.toBe('');
    // The result keeps the finding's own severity: unverified is breaking under --require-coverage.
    expect(run!.results[3]!.level).toBe('error');
  });

  it('writes relative URIs with forward slashes, percent-encoding what would change their meaning', () => {
    const [run] = render([finding('field-added', 0, { fixture: 'fixtures\\odd dir\\a#b?.json' })]).runs;
    const location = run!.results[0]!.locations[0]!.physicalLocation;
    expect(location.artifactLocation.uri).toBe('fixtures/odd%20dir/a%23b%3F.json');
    expect(location.region.startLine).toBe(1);
  });
});
