import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headlessChromium } from '../support/chromium.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { hourly, timedHar } from '../support/timed-har.js';

let dir: ReturnType<typeof tempDir>;
let reportUrl: string;

/** Headless Chromium with a throwaway profile and no network chatter. */
async function chromium(args: readonly string[]): Promise<string> {
  return headlessChromium(dir.path, reportUrl, args);
}

beforeAll(async () => {
  dir = tempDir();
  // A sandbox that renamed transaction_id to txn_id on 18 November, and a note that comes and goes.
  const old = hourly('2026-11-10T08:00:00.000Z', 40);
  const renamed = hourly('2026-11-18T09:00:00.000Z', 30);
  const answers = [
    ...old.map((at, i) => ({ at, body: { id: `ch_${i}`, transaction_id: `txn_${i}`, amount: 1200, ...(i % 3 === 0 ? {} : { note: 'x' }) } })),
    ...renamed.map((at, i) => ({ at, body: { id: `ch_${i}`, txn_id: `txn_${i}`, amount: 1200, ...(i % 4 === 0 ? {} : { note: 'x' }) } })),
  ];
  writeFileSync(join(dir.path, 'timed.har'), JSON.stringify(timedHar(answers)));
  expect((await runCli(['import', 'timed.har', '--service', 'payments'], { cwd: dir.path })).code).toBe(0);
  const fixture = {
    service: 'payments',
    name: 'get a charge',
    request: { method: 'GET', path: '/v1/charges/ch_100' },
    response: { status: 200, body: { id: 'ch_1', transaction_id: 'txn_1', amount: 1200, note: 'first' } },
  };
  writeFileSync(join(dir.path, 'charge.json'), JSON.stringify(fixture, null, 2));
  const check = await runCli(['check', '--fixtures', 'charge.json', '--format', 'html', '--output', 'report.html'], { cwd: dir.path });
  expect(check.code, check.stderr).toBe(1);
  reportUrl = pathToFileURL(join(dir.path, 'report.html')).href;
}, 60_000);

afterAll(() => dir.remove());

describe('the HTML report draws a timeline per finding', () => {
  it('is static inline SVG, labelled in words and patterns, with the time of the change marked', { timeout: 90_000 }, async () => {
    const html = readFileSync(join(dir.path, 'report.html'), 'utf8');
    expect(html).toContain('<svg class="timeline"');
    const dom = await chromium(['--dump-dom']);
    const svgs = dom.match(/<svg class="timeline"[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(2);
    const rename = svgs.find((svg) => svg.includes('since 2026-11-18 09:00 UTC<'))!;
    expect(rename).toBeDefined();
    // Readable without colour: the rows are named, the drifted spans hatched, the change marked in text.
    expect(rename).toContain('fixture shape');
    expect(rename).toContain('drifted shape');
    expect(rename).toMatch(/fill="url\(#md-hatch-f\d+\)"/);
    expect(rename).toContain('stroke-dasharray');
    // Static markup: nothing in it runs or loads (the page's only script is the severity filter).
    for (const svg of svgs) expect(svg).not.toMatch(/<script|\son[a-z]+=|href=|<foreignObject/i);
    expect(rename).toMatch(/<title>Recordings from 2026-11-10 to 2026-11-19\. The fixture's shape was seen from 2026-11-10 08:00 UTC to 2026-11-11 23:00 UTC \(40 recordings\)\. The drifted shape was seen from 2026-11-18 09:00 UTC to 2026-11-19 14:00 UTC \(30 recordings\)\. Drift since 2026-11-18T09:00:00\.000Z; last agreed 2026-11-11T23:00:00\.000Z\.<\/title>/);
    expect(dom).toContain('drift since 2026-11-18 09:00 UTC, last agreed 2026-11-11 23:00 UTC');
  });

  it('renders to a screenshot', { timeout: 90_000 }, async () => {
    const png = join(dir.path, 'timeline.png');
    await chromium([`--screenshot=${png}`, '--window-size=1100,900', '--hide-scrollbars']);
    expect(existsSync(png)).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(10 * 1024);
    // The temp dir goes away; MOCKDRIFT_TIMELINE_SCREENSHOT keeps a copy for a person to look at.
    if (process.env.MOCKDRIFT_TIMELINE_SCREENSHOT) copyFileSync(png, process.env.MOCKDRIFT_TIMELINE_SCREENSHOT);
  });
});
