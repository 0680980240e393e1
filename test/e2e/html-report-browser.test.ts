import { copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_SEVERITY, type Finding, type FindingKind, type Report } from '../../src/model/finding.js';
import { HtmlFormatter } from '../../src/report/html-formatter.js';
import { headlessChromium } from '../support/chromium.js';
import { tempDir } from '../support/temp-dir.js';

const SCRIPT = `<script>document.title='pwned'</script>`;
const IMG = `<img src=x onerror="document.title='pwned'">`;
const HOSTILE = `${SCRIPT} ${IMG}`;

let dir: ReturnType<typeof tempDir>;
let reportUrl: string;

function finding(kind: FindingKind, line: number, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `${kind}-${line}`,
    kind,
    severity: FINDING_SEVERITY[kind],
    fixture: 'fixtures/payments/charges.json',
    line,
    interaction: 'create a charge',
    service: 'payments',
    route: 'POST /v1/charges',
    status: 201,
    path: '$.transaction_id',
    expected: 'string',
    actual: 'absent',
    evidence: { recordings: 40, matching: 0, lastSeen: '2026-11-20T10:00:00.000Z' },
    message: `The fixture says one thing; reality says another ${HOSTILE}.`,
    fix: `change ${kind} in fixtures/payments/charges.json:${line}`,
    ...overrides,
  };
}

/** A report whose findings carry markup that would retitle the page if it ever ran. */
function hostileReport(): Report {
  const findings = [
    finding('field-renamed', 18, { to: '$.txn_id', expected: HOSTILE, actual: { id: 'ch_1', note: HOSTILE } }),
    finding('value-changed', 22, { path: '$.status', expected: 'succeeded', actual: HOSTILE }),
    finding('status-changed', 5, { path: undefined, expected: 201, actual: 200 }),
    finding('field-nullable', 30, { path: '$.phone', expected: 'string', actual: 'string | null' }),
    finding('format-changed', 31, { path: '$.created_at', expected: 'date', actual: 'date-time' }),
    finding('field-added', 15, { path: '$.metadata', expected: 'absent', actual: 'object' }),
  ];
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  return { version: 1, summary: { fixtures: 4, verified: 4, unverified: 0, breaking: count('breaking'), warning: count('warning'), info: count('info') }, findings };
}

/** Headless Chromium, isolated: no network chatter, a throwaway profile. */
async function chromium(...args: string[]): Promise<string> {
  return headlessChromium(dir.path, reportUrl, args);
}

beforeAll(() => {
  dir = tempDir();
  const file = join(dir.path, 'report.html');
  writeFileSync(file, new HtmlFormatter().render(hostileReport()));
  reportUrl = pathToFileURL(file).href;
});

afterAll(() => dir.remove());

describe('the HTML report in a real browser', () => {
  it('runs no injected script, shows the injected markup as text, and runs its own filter script', { timeout: 90_000 }, async () => {
    const dom = await chromium('--dump-dom');
    const title = /<title>([^<]*)<\/title>/.exec(dom)?.[1];
    expect(title).toBe('mockdrift: drift found');
    expect(dom).not.toContain('pwned</title>');
    expect(dom).toContain(`&lt;script&gt;document.title='pwned'&lt;/script&gt;`);
    expect(dom).toContain(`&lt;img src=x onerror="document.title='pwned'"&gt;`);
    expect(dom).not.toMatch(/<img/i);
    // The nonce'd script did run: the CSP lets the page's own script through, and only it.
    expect(dom).toMatch(/<body data-filter="all">/);
  });

  it('renders to a screenshot', { timeout: 90_000 }, async () => {
    const png = join(dir.path, 'report.png');
    await chromium(`--screenshot=${png}`, '--window-size=1280,1600', '--hide-scrollbars');
    expect(existsSync(png)).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(10 * 1024);
    // The temp dir goes away; MOCKDRIFT_SCREENSHOT keeps a copy for a person to look at.
    if (process.env.MOCKDRIFT_SCREENSHOT) copyFileSync(png, process.env.MOCKDRIFT_SCREENSHOT);
  });
});
