import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../support/cli.js';
import { request } from '../support/http-client.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream;
let charge = 0;

const CHARGE_FIXTURE = {
  service: 'payments',
  interactions: [
    {
      name: 'create a charge',
      request: { method: 'POST', path: '/v1/charges', body: { amount: 1200 } },
      response: {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: { id: 'ch_1', transaction_id: 'txn_1', amount: 1200, currency: 'eur' },
      },
    },
  ],
};

const BALANCE_FIXTURE = {
  request: { method: 'GET', path: '/v1/balance' },
  response: { status: 200, body: { available: 100, currency: 'eur', updated_at: '2026-11-20T10:00:00Z' } },
};

/** The line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(needle)) + 1;
}

beforeAll(async () => {
  dir = tempDir();
  upstream = await startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && req.url === '/v1/charges') {
      charge += 1;
      res.writeHead(201).end(JSON.stringify({ id: `ch_${charge}abc`, txn_id: `txn_${charge}x`, amount: 1200 + charge, currency: 'eur' }));
    } else if (req.url === '/v1/balance') {
      res.writeHead(200).end(JSON.stringify({ available: 50 + charge, currency: 'eur', updated_at: `2026-11-2${charge % 9}T10:00:00Z` }));
    } else {
      res.writeHead(404).end('{"error":"not_found"}');
    }
  });
  // Record as a user would: the real proxy, real traffic, a signal to stop.
  const recorder = spawnCli(['record', '--target', upstream.url, '--port', '0', '--service', 'payments', '--quiet'], { cwd: dir.path });
  const [, url] = await recorder.waitForLine(/recording (http:\/\/\S+)/);
  for (let i = 0; i < 3; i++) {
    await request(`${url!}/v1/charges`, { method: 'POST', body: '{"amount":1200}', headers: { 'content-type': 'application/json' } });
    await request(`${url!}/v1/balance`);
  }
  recorder.process.kill('SIGTERM');
  expect((await recorder.exited()).code).toBe(0);

  mkdirSync(join(dir.path, 'fixtures', 'payments'), { recursive: true });
  writeFileSync(join(dir.path, 'fixtures', 'payments', 'charges.json'), `${JSON.stringify(CHARGE_FIXTURE, null, 2)}\n`);
  writeFileSync(join(dir.path, 'fixtures', 'balance.json'), `${JSON.stringify(BALANCE_FIXTURE, null, 2)}\n`);
});

afterAll(async () => {
  await upstream.close();
  dir.remove();
});

describe('mockdrift check, run as a user runs it', () => {
  it('exits 1 on breaking drift and says what to change, where', async () => {
    const result = await runCli(['check'], { cwd: dir.path });
    expect(result.code).toBe(1);
    const line = lineOf(join(dir.path, 'fixtures/payments/charges.json'), '"transaction_id"');
    expect(result.stdout).toContain('fixtures/payments/charges.json');
    // What each side has, and how many recordings agree with the fixture: never "string → absent (seen in 0 of 3)".
    expect(result.stdout).toMatch(/✖ breaking field-renamed\s+\$\.transaction_id → \$\.txn_id: fixture \$\.transaction_id \(string\); reality \$\.txn_id, no \$\.transaction_id \(0 of 3 recordings agree with the fixture/);
    expect(result.stdout).toContain(`fix: rename \`transaction_id\` to \`txn_id\` in fixtures/payments/charges.json:${line}`);
    expect(result.stdout).toMatch(/drift found: 2 fixture interactions \(2 verified, 0 unverified\); 1 breaking/);
  });

  it('writes the JSON report of SPEC §6', async () => {
    const result = await runCli(['check', '--format', 'json'], { cwd: dir.path });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { version: number; summary: Record<string, number>; findings: Array<Record<string, unknown>> };
    expect(report.version).toBe(1);
    expect(report.summary).toEqual({ fixtures: 2, verified: 2, unverified: 0, breaking: 1, warning: 0, info: 0 });
    expect(report.findings).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        kind: 'field-renamed',
        severity: 'breaking',
        fixture: 'fixtures/payments/charges.json',
        line: lineOf(join(dir.path, 'fixtures/payments/charges.json'), '"transaction_id"'),
        interaction: 'create a charge',
        service: 'payments',
        route: 'POST /v1/charges',
        status: 201,
        path: '$.transaction_id',
        to: '$.txn_id',
        expected: 'string',
        actual: 'absent',
        evidence: { recordings: 3, matching: 0, lastSeen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
        message: expect.stringContaining('$.txn_id'),
        // Every recording has the new name: the drift began before the first of them.
        since: expect.stringMatching(/^before \d{4}-\d\d-\d\dT/),
        group: expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    ]);
    const again = JSON.parse((await runCli(['check', '--format', 'json'], { cwd: dir.path })).stdout) as typeof report;
    expect(again.findings[0]?.['id']).toBe(report.findings[0]?.['id']);
  });

  it('follows --fail-on', async () => {
    expect((await runCli(['check', '--fail-on', 'never'], { cwd: dir.path })).code).toBe(0);
    expect((await runCli(['check', '--fixtures', 'fixtures/balance.json', '--fail-on', 'info'], { cwd: dir.path })).code).toBe(0);
    expect((await runCli(['check', '--fixtures', 'fixtures/balance.json'], { cwd: dir.path })).code).toBe(0);
  });

  it('leaves ignored paths alone', async () => {
    const result = await runCli(['check', '--ignore', '$.transaction_id', '--ignore', '$.txn_id'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no drift: 2 fixture interactions/);
  });

  it('takes files, directories and quoted globs', async () => {
    const glob = await runCli(['check', '--fixtures', 'fixtures/**/char*.json', '--format', 'json'], { cwd: dir.path });
    expect((JSON.parse(glob.stdout) as { summary: { fixtures: number } }).summary.fixtures).toBe(1);
    const both = await runCli(['check', '--fixtures', 'fixtures/balance.json', 'fixtures/payments', '--format', 'json'], { cwd: dir.path });
    expect((JSON.parse(both.stdout) as { summary: { fixtures: number } }).summary.fixtures).toBe(2);
  });

  it('writes the report to --output and keeps stdout clean', async () => {
    const result = await runCli(['check', '--format', 'json', '--output', 'drift.json'], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir.path, 'drift.json'), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('writes several reports in one run with --report FORMAT=FILE', async () => {
    // out/ does not exist yet: it is created, as for --output.
    const ok = await runCli(['check', '--report', 'html=out/drift.html', '--report', 'junit=drift.xml', '--report', 'sarif=drift.sarif', '--report', 'markdown=drift.md'], {
      cwd: dir.path,
    });
    expect(ok.code).toBe(1);
    expect(ok.stdout).toMatch(/field-renamed/); // the text report still goes to the console
    expect(readFileSync(join(dir.path, 'out/drift.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect(readFileSync(join(dir.path, 'drift.xml'), 'utf8')).toMatch(/<testsuites/);
    expect(JSON.parse(readFileSync(join(dir.path, 'drift.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(readFileSync(join(dir.path, 'drift.md'), 'utf8')).toMatch(/\|.*\|/);
    const bad = await runCli(['check', '--report', 'pdf=x.pdf'], { cwd: dir.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--report "pdf=x.pdf" must be FORMAT=FILE/);
  });

  it('annotates breaking drift and writes the job summary under GitHub Actions', async () => {
    const summary = join(dir.path, 'step-summary.md');
    writeFileSync(summary, '');
    const result = await runCli(['check', '--format', 'json'], { cwd: dir.path, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(result.code).toBe(1);
    const line = lineOf(join(dir.path, 'fixtures/payments/charges.json'), '"transaction_id"');
    expect(result.stderr).toMatch(new RegExp(`^::error file=fixtures/payments/charges\\.json,line=${line},title=mockdrift field-renamed \\$\\.transaction_id::`, 'm'));
    expect(() => JSON.parse(result.stdout)).not.toThrow(); // annotations never mix into the JSON
    expect(readFileSync(summary, 'utf8')).toMatch(/field-renamed/);
    const outside = await runCli(['check', '--format', 'json'], { cwd: dir.path });
    expect(outside.stderr).not.toMatch(/::error/);
  });

  it('restricts both sides to --service', async () => {
    const result = await runCli(['check', '--service', 'warehouse', '--format', 'json'], { cwd: dir.path });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No recordings .* for service warehouse/);
  });

  describe('input errors exit 2, naming the file and line', () => {
    it('for a fixture that is not valid JSON', async () => {
      writeFileSync(join(dir.path, 'broken.json'), '{\n  "request": {"method": "GET", "path": "/x"},\n  "response": {"status": 200,}\n}\n');
      const result = await runCli(['check', '--fixtures', 'broken.json'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/broken\.json:3:\d+: not valid JSON/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });

    it('for JSON of no known fixture format', async () => {
      writeFileSync(join(dir.path, 'other.json'), '{"hello": "world"}\n');
      const result = await runCli(['check', '--fixtures', 'other.json'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/other\.json:1:1: not a fixture of any known format/);
    });

    it('for a pattern that matches nothing', async () => {
      const result = await runCli(['check', '--fixtures', 'nowhere/'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/No fixture files match "nowhere\/"/);
    });

    it('for a bad --fail-on', async () => {
      const result = await runCli(['check', '--fail-on', 'sometimes'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/fail-on/);
    });
  });

  it('exits 3 when there is nothing to check against', async () => {
    const missing = await runCli(['check', '--db', 'none.db'], { cwd: dir.path });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/none\.db does not exist/);
    const empty = await runCli(['check', '--since', '1ms'], { cwd: dir.path });
    expect(empty.code).toBe(3);
  });
});

describe('mockdrift demo', () => {
  it('records the example sandboxes through the proxy and shows their drift', async () => {
    const result = await runCli(['demo'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/field-renamed\s+\$\.transaction_id → \$\.txn_id/);
    expect(result.stdout).toMatch(/drift found: \d+ fixture interactions/);
    expect(result.stderr).toMatch(/recorded \d+ exchanges/);
  });

  it('prints the same report as JSON', async () => {
    const result = await runCli(['demo', '--format', 'json'], { cwd: dir.path });
    const report = JSON.parse(result.stdout) as { summary: { breaking: number; verified: number }; findings: Array<{ kind: string; fixture: string }> };
    expect(report.summary.breaking).toBeGreaterThan(0);
    const kinds = new Set(report.findings.map((finding) => finding.kind));
    for (const kind of ['field-renamed', 'field-moved', 'type-changed', 'status-changed', 'content-type-changed', 'value-changed', 'format-changed']) {
      expect(kinds).toContain(kind);
    }
    const formats = new Set(report.findings.map((finding) => finding.fixture.split('.').slice(-2).join('.')));
    expect(formats.size).toBeGreaterThanOrEqual(5);
  });
});
