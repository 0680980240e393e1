import { describe, expect, it } from 'vitest';
import { applyBaseline, parseBaseline, writeBaseline } from '../../../src/compare/baseline.js';
import { MockdriftError } from '../../../src/model/errors.js';
import { FINDING_SEVERITY, type Finding, type FindingKind, type Report } from '../../../src/model/finding.js';
import { REPORT_FORMATTERS } from '../../../src/report/formatters.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

function finding(kind: FindingKind, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `${kind}-${overrides.path ?? ''}`,
    kind,
    severity: FINDING_SEVERITY[kind],
    fixture: 'fixtures/charges.json',
    line: 7,
    interaction: 'create a charge',
    service: 'payments',
    route: 'POST /v1/charges',
    status: 201,
    path: '$.transaction_id',
    expected: 'string',
    actual: 'absent',
    evidence: { recordings: 40, matching: 0, lastSeen: '2026-11-20T10:00:00.000Z' },
    message: `the ${kind} message.`,
    ...overrides,
  };
}

function reportOf(findings: readonly Finding[], interactions = [{ fixture: 'fixtures/charges.json', interaction: 'create a charge' }]): Report {
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  return {
    version: 1,
    summary: { fixtures: interactions.length, verified: interactions.length, unverified: 0, breaking: count('breaking'), warning: count('warning'), info: count('info') },
    findings,
    interactions: interactions.map((item) => ({ ...item, line: 3, service: 'payments', route: 'POST /v1/charges', status: 201, verified: true })),
  };
}

const RENAMED = finding('field-renamed', { to: '$.txn_id' });
const OPTIONAL = finding('field-optional', { path: '$.note', line: 9 });
const ADDED = finding('field-added', { path: '$.extra', line: 4 });

describe('the baseline file', () => {
  it('round-trips: what --write-baseline writes, --baseline reads back and accepts', () => {
    const report = reportOf([RENAMED, OPTIONAL, ADDED]);
    const text = writeBaseline(report);
    const entries = parseBaseline(text, 'mockdrift-baseline.json');
    // Breaking and warning findings only: info never fails, so it needs no accepting.
    expect(entries).toEqual([
      { service: 'payments', fixture: 'fixtures/charges.json', interaction: 'create a charge', kind: 'field-optional', path: '$.note' },
      { service: 'payments', fixture: 'fixtures/charges.json', interaction: 'create a charge', kind: 'field-renamed', path: '$.transaction_id', to: '$.txn_id' },
    ]);
    const judged = applyBaseline(report, entries, 'mockdrift-baseline.json', NOW);
    expect(judged.findings.map((f) => f.baseline)).toEqual(['accepted', 'accepted', 'new']);
    expect(judged.baseline).toMatchObject({ new: 1, accepted: 2, fixed: [] });
  });

  it('is stable, sorted JSON: the same findings in another order give the same bytes', () => {
    const one = writeBaseline(reportOf([RENAMED, OPTIONAL]));
    const other = writeBaseline(reportOf([OPTIONAL, RENAMED]));
    expect(one).toBe(other);
    expect(one).toMatch(/^\{\n {2}"version": 1,\n {2}"accepted": \[\n/);
    expect(one.endsWith('\n')).toBe(true);
  });

  it('accepts a drift whatever line it moved to: entries are keyed by what the drift is', () => {
    const entries = parseBaseline(writeBaseline(reportOf([RENAMED])), 'b.json');
    const moved = applyBaseline(reportOf([{ ...RENAMED, line: 42, id: 'another-id' }]), entries, 'b.json', NOW);
    expect(moved.findings[0]!.baseline).toBe('accepted');
    // But another drift of the same field is new.
    const other = applyBaseline(reportOf([{ ...RENAMED, to: '$.tx_id' }]), entries, 'b.json', NOW);
    expect(other.findings[0]!.baseline).toBe('new');
  });

  it('fails an expired entry again, saying so', () => {
    const entries = [{ service: 'payments', fixture: 'fixtures/charges.json', interaction: 'create a charge', kind: 'field-renamed', path: '$.transaction_id', to: '$.txn_id', expires: '2026-11-30' }];
    const judged = applyBaseline(reportOf([RENAMED]), entries, 'b.json', NOW);
    expect(judged.findings[0]!.baseline).toBe('new');
    expect(judged.findings[0]!.message).toContain('The baseline b.json accepted it until 2026-11-30; that has expired.');
    // A date lasts to the end of its day.
    expect(applyBaseline(reportOf([RENAMED]), entries, 'b.json', Date.parse('2026-11-30T23:59:00Z')).findings[0]!.baseline).toBe('accepted');
  });

  it('reports entries whose drift no longer occurs as fixed, and --write-baseline drops them keeping the others\' reasons and expiries', () => {
    const entries = [
      { service: 'payments', fixture: 'fixtures/charges.json', interaction: 'create a charge', kind: 'field-renamed', path: '$.transaction_id', to: '$.txn_id', reason: 'PAY-12: client moves in Q1', expires: '2027-03-31' },
      { service: 'payments', fixture: 'fixtures/charges.json', interaction: 'create a charge', kind: 'field-missing', path: '$.carrier' },
      // A fixture this run did not check: neither fixed nor dropped.
      { service: 'shipping', fixture: 'fixtures/other.json', interaction: 'ship', kind: 'field-missing', path: '$.x' },
    ];
    const report = reportOf([RENAMED]);
    const judged = applyBaseline(report, entries, 'b.json', NOW);
    expect(judged.baseline?.fixed).toEqual([entries[1]]);
    const rewritten = parseBaseline(writeBaseline(report, entries), 'b.json');
    expect(rewritten).toEqual([entries[0], entries[2]]);
  });

  it('refuses a malformed baseline with a message naming the file and the next step', () => {
    const attempt = (text: string): MockdriftError => {
      try {
        parseBaseline(text, 'mockdrift-baseline.json');
      } catch (error) {
        return error as MockdriftError;
      }
      throw new Error('parsed');
    };
    expect(attempt('{ nope').code).toBe('BASELINE_INVALID');
    expect(attempt('{ nope').message).toContain('mockdrift-baseline.json');
    expect(attempt('{"version":1}').message).toContain('no "accepted" list');
    expect(attempt('{"version":1,"accepted":[{"fixture":"a.json","interaction":"x","kind":"field-missing","expires":"soon"}]}').message).toContain('"expires" ("soon")');
    expect(attempt('{"version":2,"accepted":[]}').message).toContain('--write-baseline');
  });
});

describe('reports under a baseline', () => {
  const entries = [
    { service: 'payments', fixture: 'fixtures/charges.json', interaction: 'create a charge', kind: 'field-renamed', path: '$.transaction_id', to: '$.txn_id' },
    { service: 'payments', fixture: 'fixtures/charges.json', interaction: 'create a charge', kind: 'field-missing', path: '$.carrier' },
  ];
  const judged = applyBaseline(reportOf([RENAMED, OPTIONAL, ADDED]), entries, 'mockdrift-baseline.json', NOW);

  it.each(['text', 'markdown', 'html', 'junit'])('shows the new, accepted and fixed counts in %s', (format) => {
    const out = REPORT_FORMATTERS[format]!.render(judged);
    expect(out).toContain('baseline mockdrift-baseline.json: 2 new, 1 accepted, 1 fixed');
    expect(out).toContain('$.carrier');
  });

  it('gives every JSON finding its baseline state and lists the fixed entries', () => {
    const json = JSON.parse(REPORT_FORMATTERS['json']!.render(judged)) as Record<string, any>;
    expect(json['summary']).toMatchObject({ new: 2, accepted: 1, fixed: 1 });
    expect(json['findings'].map((f: Record<string, unknown>) => [f['kind'], f['baseline']])).toEqual([
      ['field-renamed', 'accepted'],
      ['field-optional', 'new'],
      ['field-added', 'new'],
    ]);
    expect(json['fixed']).toEqual([entries[1]]);
  });

  it('marks SARIF results new, unchanged or absent', () => {
    const sarif = JSON.parse(REPORT_FORMATTERS['sarif']!.render(judged)) as Record<string, any>;
    const run = sarif['runs'][0];
    expect(run.results.map((r: Record<string, unknown>) => [r['ruleId'], r['baselineState']])).toEqual([
      ['field-renamed', 'unchanged'],
      ['field-optional', 'new'],
      ['field-added', 'new'],
      ['field-missing', 'absent'],
    ]);
    const absent = run.results[3];
    expect(run.tool.driver.rules[absent.ruleIndex].id).toBe('field-missing');
    expect(run.properties.baseline).toEqual({ file: 'mockdrift-baseline.json', new: 2, accepted: 1, fixed: 1 });
  });

  it('sets no baseline state where no baseline was used', () => {
    const plain = reportOf([RENAMED]);
    expect(JSON.parse(REPORT_FORMATTERS['sarif']!.render(plain)).runs[0].results[0]).not.toHaveProperty('baselineState');
    expect(JSON.parse(REPORT_FORMATTERS['json']!.render(plain))).not.toHaveProperty('fixed');
    expect(REPORT_FORMATTERS['text']!.render(plain)).not.toContain('baseline');
  });

  it('keeps accepted findings apart in the text report and out of JUnit failures', () => {
    const text = REPORT_FORMATTERS['text']!.render(judged);
    const apart = text.indexOf('Accepted by the baseline');
    expect(apart).toBeGreaterThan(text.indexOf('field-optional'));
    expect(text.slice(apart)).toContain('field-renamed');
    expect(text.slice(0, apart)).not.toContain('field-renamed');
    const junit = REPORT_FORMATTERS['junit']!.render(judged);
    expect(junit).not.toContain('<failure');
    expect(junit).toContain('accepted breaking field-renamed');
  });
});
