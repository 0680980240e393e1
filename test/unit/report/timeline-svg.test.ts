import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/model/finding.js';
import { timelineSvg } from '../../../src/report/timeline-svg.js';

const T = Date.parse('2026-11-18T09:00:00.000Z');

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'x',
    kind: 'field-renamed',
    severity: 'breaking',
    fixture: 'f.json',
    line: 1,
    interaction: 'i',
    service: null,
    route: 'GET /x',
    status: 200,
    path: '$.a',
    evidence: { recordings: 2, matching: 1, lastSeen: null },
    message: 'm',
    ...overrides,
  };
}

describe('the finding timeline', () => {
  it('draws nothing for a finding without a timeline', () => {
    expect(timelineSvg(finding(), 'f0')).toBe('');
    expect(timelineSvg(finding({ timeline: { agreed: [], drifted: [] } }), 'f0')).toBe('');
  });

  it('marks the change and places both shapes on one axis', () => {
    const svg = timelineSvg(
      finding({
        since: new Date(T).toISOString(),
        lastAgreed: new Date(T - 3_600_000).toISOString(),
        timeline: { agreed: [{ first: T - 86_400_000, last: T - 3_600_000, count: 5 }], drifted: [{ first: T, last: T + 86_400_000, count: 4 }] },
      }),
      'f1',
    );
    expect(svg).toContain('since 2026-11-18 09:00 UTC');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('5 recordings, 2026-11-17 09:00 UTC to 2026-11-18 08:00 UTC');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('draws a single moment without dividing by zero, and no marker for a drift older than the recordings', () => {
    const svg = timelineSvg(finding({ since: `before ${new Date(T).toISOString()}`, timeline: { agreed: [], drifted: [{ first: T, last: T, count: 1 }] } }), 'f2');
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).not.toContain('stroke-dasharray');
    expect(svg).toContain('The fixture&#39;s shape was never seen.');
  });

  it('keeps only letters and digits of the key in the pattern id', () => {
    const svg = timelineSvg(finding({ timeline: { agreed: [], drifted: [{ first: T, last: T, count: 1 }] } }), 'a"><script>1');
    expect(svg).toContain('id="md-hatch-ascript1"');
    expect(svg).not.toContain('<script');
  });
});

describe('since in words', () => {
  it('goes to the second when the minute would not tell since and last agreed apart', async () => {
    const { sinceText } = await import('../../../src/report/baseline-text.js');
    expect(sinceText(finding({ since: '2026-11-18T09:00:41.000Z', lastAgreed: '2026-11-18T09:00:12.000Z' }))).toBe(
      'since 2026-11-18 09:00:41 UTC, last agreed 2026-11-18 09:00:12 UTC',
    );
    expect(sinceText(finding({ since: '2026-11-18T09:00:41.000Z', lastAgreed: '2026-11-17T12:00:00.000Z' }))).toBe(
      'since 2026-11-18 09:00 UTC, last agreed 2026-11-17 12:00 UTC',
    );
    expect(sinceText(finding({ since: 'before 2026-11-18T09:00:41.000Z' }))).toBe('since before 2026-11-18 09:00 UTC');
    expect(sinceText(finding())).toBe('');
  });
});
