import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUpdate } from '../../src/update/run-update.js';
import type { Report } from '../../src/model/finding.js';
import type { FixtureFormat } from '../../src/model/fixture.js';
import { HtmlFormatter } from '../../src/report/html-formatter.js';
import { JsonFormatter } from '../../src/report/json-formatter.js';
import { MarkdownFormatter } from '../../src/report/markdown-formatter.js';
import { TextFormatter } from '../../src/report/text-formatter.js';
import { findingLines, FORMATS, prepareCase, prepareFixtures, type FixtureSpec, type RecordingSpec } from './harness.js';

const CHARGE_IDS = ['ch_3PqR7tLkdIwHu7ix', 'ch_1NqkZ2LkdIwHu7ix', 'ch_9XyzW3AbCdEf12gh'];

/** Five fixtures of one service, each with `transaction_id`, which reality renamed `txn_id`. */
function fiveFixtures(): FixtureSpec[] {
  return ['capture', 'refund', 'dispute', 'payout', 'transfer'].map((name, i) => ({
    service: 'payments',
    name: `a ${name}`,
    method: 'GET',
    path: `/v1/${name}s/ch_${i}abcdefghijkl`,
    status: 200,
    body: { id: `ch_${i}abcdefghijkl`, transaction_id: `txn_${i}`, amount: 100 * (i + 1) },
  }));
}

function recordingsOf(fixtures: readonly FixtureSpec[]): RecordingSpec[] {
  return fixtures.flatMap((fixture) =>
    CHARGE_IDS.map((id, i) => ({
      service: 'payments',
      method: 'GET',
      path: fixture.path.replace(/ch_\w+$/, id),
      status: 200,
      body: { id, txn_id: `txn_real_${i}`, amount: 990 + i, password: 'hunter2-secret' },
    })),
  );
}

async function checkMany(format: FixtureFormat): Promise<Report> {
  const fixtures = fiveFixtures();
  const prepared = await prepareFixtures(format, fixtures, recordingsOf(fixtures));
  try {
    return await prepared.check();
  } finally {
    prepared.remove();
  }
}

describe.each(FORMATS)('many fixtures, one cause (%s fixtures)', (format) => {
  it('JSON keeps every finding and gives the findings of one cause one group id', async () => {
    const report = await checkMany(format);
    const json = JSON.parse(new JsonFormatter().render(report)) as { findings: Array<{ kind: string; path?: string; to?: string; group?: string; fixture: string }> };
    const renames = json.findings.filter((finding) => finding.kind === 'field-renamed');
    expect(renames).toHaveLength(5);
    expect(new Set(renames.map((finding) => finding.fixture)).size).toBe(5);
    expect(new Set(renames.map((finding) => finding.group)).size).toBe(1);
    expect(renames[0]!.group).toMatch(/^[0-9a-f]{12}$/);
    // Another cause, another group.
    const added = json.findings.filter((finding) => finding.kind === 'field-added');
    expect(added.length).toBeGreaterThan(0);
    expect(added[0]!.group).not.toBe(renames[0]!.group);
  });

  it('text, Markdown and HTML show the cause once, with the count and the list of fixtures', async () => {
    const report = await checkMany(format);
    const text = new TextFormatter().render(report);
    expect(text.match(/field-renamed/g)).toHaveLength(1);
    expect(text).toContain('in 5 fixtures [payments]:');
    for (const name of ['capture', 'refund', 'dispute', 'payout', 'transfer']) expect(text).toMatch(new RegExp(`- fixtures/a-${name}[.\\w]*:\\d+ \\(`));
    expect(text).toContain('fix: rename `transaction_id` to `txn_id` in each fixture');

    const markdown = new MarkdownFormatter().render(report);
    const renameRows = markdown.split('\n').filter((line) => line.includes('field-renamed'));
    expect(renameRows).toHaveLength(1);
    expect(renameRows[0]).toContain('5 fixtures: fixtures/a-');

    const html = new HtmlFormatter().render(report);
    expect(html.match(/<code>field-renamed<\/code>/g)).toHaveLength(1);
    expect(html).toContain('<span class="where">5 fixtures</span>');
    expect(html.match(/<ul class="members">(.*?)<\/ul>/)?.[1]?.match(/<li>/g)).toHaveLength(5);
  });
});

describe.each(FORMATS)('reports that cannot be misread (%s fixtures)', (format) => {
  const fixture: FixtureSpec = {
    service: 'payments',
    name: 'a charge',
    method: 'GET',
    path: '/v1/charges/ch_3MtwBwLkdIwHu7ix',
    status: 200,
    body: { id: 'ch_3MtwBwLkdIwHu7ix', transaction_id: 'txn_1', amount: 1200 },
  };
  const recordings = recordingsOf([fixture]);

  it('the text says what the fixture has and what reality has for renames and added fields, never "string → absent (seen in 0 of 3)"', async () => {
    const prepared = await prepareCase(format, fixture, recordings);
    try {
      const text = new TextFormatter().render(await prepared.check());
      expect(text).not.toMatch(/→ absent \(seen in/);
      expect(text).toMatch(/field-renamed\s+\$\.transaction_id → \$\.txn_id: fixture \$\.transaction_id \(string\); reality \$\.txn_id, no \$\.transaction_id \(0 of 3 recordings agree with the fixture/);
      expect(text).toMatch(/field-added\s+\$\.password: fixture no \$\.password; reality \$\.password \(string\) \(0 of 3 recordings agree with the fixture/);
    } finally {
      prepared.remove();
    }
  });

  it('the HTML report puts the fixture body and a redacted recorded body side by side, the drifted lines marked', async () => {
    const prepared = await prepareCase(format, fixture, recordings);
    try {
      const html = new HtmlFormatter().render(await prepared.check());
      expect(html).toContain('Fixture and reality, side by side');
      const bodies = html.slice(html.indexOf('<article class="bodies">'));
      expect(bodies).toContain('<h3>fixture body</h3>');
      expect(bodies).toContain('<h3>a recorded body (redacted)</h3>');
      expect(bodies).toContain('<mark class="drift">  &quot;transaction_id&quot;: &quot;txn_1&quot;,</mark>');
      expect(bodies).toMatch(/<mark class="drift">  &quot;txn_id&quot;: &quot;txn_real_\d&quot;,<\/mark>/);
      // The recording went through redaction before it reached the store, and so the report.
      expect(bodies).toContain('[REDACTED]');
      expect(bodies).not.toContain('hunter2');
      // A rename's card: reality has the new name — not "absent".
      expect(html).toContain('<h3>reality has</h3><pre>$.txn_id, no $.transaction_id</pre>');
    } finally {
      prepared.remove();
    }
  });
});

describe.each(['native', 'pact', 'wiremock'] as FixtureFormat[])('update of a moved field (%s fixtures)', (format) => {
  it('removes the field and inserts it, with the fixture value, at its new parent; the check then finds no breaking drift', async () => {
    const fixture: FixtureSpec = {
      service: 'billing',
      name: 'an invoice',
      method: 'GET',
      path: '/v1/invoices/in_1NqkZ2LkdIwHu7ix',
      status: 200,
      body: { id: 'in_1NqkZ2LkdIwHu7ix', email: 'ada@example.com', paid_at: '2026-04-17T10:00:00Z', timestamps: { created_at: '2026-04-01T10:00:00Z' } },
    };
    const recordings: RecordingSpec[] = [0, 1].map(() => ({
      method: 'GET',
      path: '/v1/invoices/in_1NqkZ2LkdIwHu7ix',
      status: 200,
      body: { id: 'in_1NqkZ2LkdIwHu7ix', contact: { email: 'ada@example.com' }, timestamps: { created_at: '2026-04-01T10:00:00Z', paid_at: '2026-04-17T10:00:00Z' } },
    }));
    const prepared = await prepareCase(format, fixture, recordings);
    try {
      expect(findingLines(await prepared.check(), ['breaking'])).toEqual([
        'breaking field-moved $.email -> $.contact.email',
        'breaking field-moved $.paid_at -> $.timestamps.paid_at',
      ]);
      const result = await runUpdate({ cwd: prepared.dir, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], dryRun: false });
      expect(result.files).toHaveLength(1);
      const text = readFileSync(join(prepared.dir, prepared.fixture.file), 'utf8');
      const written = JSON.parse(text) as unknown;
      expect(JSON.stringify(written)).toContain('"contact":{"email":"ada@example.com"}');
      expect(JSON.stringify(written)).toContain('"timestamps":{"created_at":"2026-04-01T10:00:00Z","paid_at":"2026-04-17T10:00:00Z"}');
      expect(findingLines(await prepared.check(), ['breaking', 'warning'])).toEqual([]);
    } finally {
      prepared.remove();
    }
  });
});
