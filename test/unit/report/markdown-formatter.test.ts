import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITY, type Finding, type FindingKind, type Report } from '../../../src/model/finding.js';
import { MarkdownFormatter } from '../../../src/report/markdown-formatter.js';

const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(1)> "quotes" |pipes| `ticks` a\\|b line\nbreak\r\nagain';

function finding(kind: FindingKind, line: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `${kind}-${line}`,
    kind,
    severity: FINDING_SEVERITY[kind],
    fixture: 'fixtures/charges.json',
    line,
    interaction: 'create a charge',
    service: 'payments',
    route: 'POST /v1/charges',
    status: 201,
    path: '$.amount',
    expected: 'number',
    actual: 'string',
    evidence: { recordings: 40, matching: 0, lastSeen: '2026-11-20T10:00:00.000Z' },
    message: `${kind} happened`,
    fix: `undo ${kind}`,
    ...overrides,
  };
}

function reportOf(findings: Finding[]): Report {
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  return { version: 1, summary: { fixtures: 4, verified: 3, unverified: 1, breaking: count('breaking'), warning: count('warning'), info: count('info') }, findings };
}

/** The cells of a GFM table row: split at pipes that no backslash escapes, as GitHub does. */
function cells(row: string): string[] {
  expect(row.startsWith('|') && row.endsWith('|')).toBe(true);
  const found: string[] = [];
  let current = '';
  for (let i = 1; i < row.length; i++) {
    const char = row[i]!;
    if (char === '\\') {
      current += char + (row[i + 1] ?? '');
      i += 1;
    } else if (char === '|') {
      found.push(current.trim());
      current = '';
    } else current += char;
  }
  return found;
}

/** The tables of a Markdown document: runs of lines starting with `|`. */
function tables(markdown: string): string[][] {
  const blocks = markdown.trimEnd().split('\n\n').map((block) => block.split('\n'));
  return blocks.filter((lines) => lines.every((line) => line.startsWith('|')));
}

describe('MarkdownFormatter', () => {
  const formatter = new MarkdownFormatter();

  it('heads with the verdict, then a summary table', () => {
    const markdown = formatter.render(reportOf([finding('field-added', 9)]));
    expect(markdown.startsWith('## mockdrift: no drift\n')).toBe(true);
    const [summary] = tables(markdown);
    expect(summary!.map(cells)).toEqual([
      ['Fixture interactions', 'Verified', 'Unverified', 'Breaking', 'Warning', 'Info'],
      ['---', '---', '---', '---', '---', '---'],
      ['4', '3', '1', '0', '0', '1'],
    ]);
  });

  it('lists the findings in one table, breaking first, with fixture:line, path and evidence', () => {
    const markdown = formatter.render(
      reportOf([finding('field-added', 3, { evidence: { recordings: 40, matching: 12, lastSeen: null } }), finding('field-renamed', 7, { path: '$.a', to: '$.b', actual: 'absent' }), finding('field-nullable', 5)]),
    );
    expect(markdown.startsWith('## mockdrift: drift found\n')).toBe(true);
    const [, findings] = tables(markdown);
    const rows = findings!.map(cells);
    expect(rows[0]).toEqual(['Severity', 'Kind', 'Fixture', 'Path', 'Fixture has', 'Reality has', 'Evidence']);
    expect(findings![1]).toMatch(/^\|(---\|){7}$/);
    expect(rows.slice(2)).toEqual([
      ['breaking', 'field-renamed', 'fixtures/charges.json:7', '\\$.a → \\$.b', '\\$.a (number)', '\\$.b, no \\$.a', '0 of 40 agree'],
      ['warning', 'field-nullable', 'fixtures/charges.json:5', '\\$.amount', '\\$.amount: number', '\\$.amount: string', '0 of 40 agree'],
      ['info', 'field-added', 'fixtures/charges.json:3', '\\$.amount', 'no \\$.amount', '\\$.amount (string)', '12 of 40 agree'],
    ]);
  });

  it('keeps every row at seven cells and inert when paths and values are hostile', () => {
    const hostile = finding('value-changed', 4, { path: HOSTILE, to: HOSTILE, expected: HOSTILE, actual: { [HOSTILE]: [HOSTILE] } });
    const markdown = formatter.render(reportOf([hostile, finding('type-changed', 8, { fixture: `fixtures/${HOSTILE}.json` })]));
    const [, findings] = tables(markdown);
    expect(findings).toHaveLength(4);
    for (const row of findings!) expect(cells(row)).toHaveLength(7);
    expect(markdown).not.toMatch(/<(script|img)/i);
    // Every backtick and pipe of the content is escaped: no code span can open, no cell can split.
    expect(markdown.replace(/\\./g, '')).not.toMatch(/`/);
  });

  it('says so when there are no findings', () => {
    const markdown = formatter.render(reportOf([]));
    expect(markdown).toContain('No findings');
    expect(tables(markdown)).toHaveLength(1);
  });
});
