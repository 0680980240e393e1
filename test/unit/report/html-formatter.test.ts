import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITY, type Finding, type FindingKind, type Report } from '../../../src/model/finding.js';
import { HtmlFormatter } from '../../../src/report/html-formatter.js';

const HOSTILE = `<script>alert(1)</script> <img src=x onerror=alert(1)> <script src="https://evil.example/x.js"></script> "quotes" 'single' & |pipes| \`ticks\` line\nbreak`;

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
    path: '$.transaction_id',
    to: '$.txn_id',
    expected: 'string',
    actual: 'absent',
    evidence: { recordings: 40, matching: 0, lastSeen: '2026-11-20T10:00:00.000Z' },
    message: `${kind} happened`,
    fix: `undo ${kind}`,
    ...overrides,
  };
}

function reportOf(findings: Finding[]): Report {
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  return { version: 1, summary: { fixtures: 2, verified: 2, unverified: 0, breaking: count('breaking'), warning: count('warning'), info: count('info') }, findings };
}

const HOSTILE_REPORT = reportOf([
  finding('value-changed', 3, { message: HOSTILE, fix: HOSTILE, path: HOSTILE, to: undefined, expected: HOSTILE, actual: { [HOSTILE]: [HOSTILE] }, interaction: HOSTILE, route: HOSTILE, service: HOSTILE }),
  finding('field-added', 9, { fixture: `fixtures/${HOSTILE}.json`, expected: undefined, actual: undefined, path: undefined, to: undefined }),
]);

/** Every tag of the document: escaped content has no `<`, so anything injected and unescaped shows up here. */
function tags(html: string): string[] {
  return html.match(/<[^>]*>/g) ?? [];
}

/** The text of the page's own `<style>` and `<script>` elements. */
function rawText(html: string): string[] {
  return [...html.matchAll(/<(style|script)\b[^>]*>([\s\S]*?)<\/\1>/g)].map((match) => match[2]!);
}

describe('HtmlFormatter', () => {
  const formatter = new HtmlFormatter();

  it('has a strict Content-Security-Policy whose nonce is on its one script, new at every render', () => {
    const html = formatter.render(HOSTILE_REPORT);
    const csp = /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-([A-Za-z0-9+/=]+)'; img-src data:">/.exec(html);
    expect(csp).not.toBeNull();
    const scripts = tags(html).filter((tag) => /^<script\b/i.test(tag));
    expect(scripts).toEqual([`<script nonce="${csp![1]}">`]);
    expect(formatter.render(HOSTILE_REPORT)).not.toContain(csp![1]);
  });

  it('escapes everything from fixtures and recordings: no injected tag, attribute or URL', () => {
    const html = formatter.render(HOSTILE_REPORT);
    expect(html).not.toMatch(/<img/i);
    for (const tag of tags(html)) expect(tag).not.toMatch(/https?:\/\/|onerror|evil/i);
    for (const text of rawText(html)) expect(text).not.toMatch(/https?:\/\/|url\(|@import/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;quotes&quot; &#39;single&#39; &amp; |pipes|');
  });

  it('shows a card per finding with the fixture and reality side by side', () => {
    const html = formatter.render(reportOf([finding('field-renamed', 7), finding('field-nullable', 5, { to: undefined, expected: 'string', actual: 'string | null' })]));
    expect(html.match(/<article class="finding /g)).toHaveLength(2);
    // Breaking first.
    expect(html.indexOf('field-renamed')).toBeLessThan(html.indexOf('field-nullable'));
    // Reality has the new name, a string: never "absent" next to a path it has.
    expect(html).toContain('<h3>fixture has</h3><pre>$.transaction_id (string)</pre>');
    expect(html).toContain('<h3>reality has</h3><pre>$.txn_id, no $.transaction_id</pre>');
    expect(html).toContain('fixtures/charges.json:7');
    expect(html).toContain('create a charge — POST /v1/charges → 201 [payments]');
    expect(html).toContain('0 of 40 recordings agree with the fixture, last 2026-11-20');
    expect(html).toContain('<b>fix:</b> undo field-renamed');
  });

  it('has a filter button per severity with its count, and says so when there are no findings', () => {
    const html = formatter.render(reportOf([finding('field-renamed', 7)]));
    for (const label of ['all (1)', 'breaking (1)', 'warning (0)', 'info (0)']) expect(html).toContain(`">${label}</button>`);
    expect(formatter.render(reportOf([]))).toContain('No findings');
  });
});
