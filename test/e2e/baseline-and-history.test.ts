import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { hourly, timedHar } from '../support/timed-har.js';

let dir: ReturnType<typeof tempDir>;

const OLD = hourly('2026-11-17T08:00:00.000Z', 5);
const RENAMED = hourly('2026-11-18T09:00:00.000Z', 5);

/** The charge fixture, with `padding` blank-ish lines of metadata above the response to move every line. */
function chargeFixture(padding = 0, body: object = { id: 'ch_1', transaction_id: 'txn_1', amount: 1200 }): string {
  const fixture = {
    service: 'payments',
    ...(padding > 0 ? { notes: Array.from({ length: padding }, (_, i) => `note ${i}`) } : {}),
    name: 'get a charge',
    request: { method: 'GET', path: '/v1/charges/ch_100' },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body },
  };
  return `${JSON.stringify(fixture, null, 2)}\n`;
}

beforeAll(async () => {
  dir = tempDir();
  const answers = [
    ...OLD.map((at, i) => ({ at, body: { id: `ch_${i}`, transaction_id: `txn_${i}`, amount: 1200 + i } })),
    ...RENAMED.map((at, i) => ({ at, body: { id: `ch_${i + 5}`, txn_id: `txn_${i + 5}`, amount: `${1200 + i}` } })),
  ];
  writeFileSync(join(dir.path, 'timed.har'), JSON.stringify(timedHar(answers)));
  const imported = await runCli(['import', 'timed.har', '--service', 'payments'], { cwd: dir.path });
  expect(imported.code, imported.stderr).toBe(0);
  writeFileSync(join(dir.path, 'charge.json'), chargeFixture());
}, 30_000);

afterAll(() => dir.remove());

describe('mockdrift check over recordings whose shape changed at a known time', () => {
  it('says since when reality drifted, in JSON and in the text evidence', async () => {
    const json = await runCli(['check', '--fixtures', 'charge.json', '--format', 'json'], { cwd: dir.path });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { findings: Array<Record<string, unknown>> };
    const rename = report.findings.find((finding) => finding['kind'] === 'field-renamed');
    expect(rename).toMatchObject({ path: '$.transaction_id', to: '$.txn_id', since: RENAMED[0], lastAgreed: OLD[4] });
    const text = await runCli(['check', '--fixtures', 'charge.json'], { cwd: dir.path });
    expect(text.stdout).toContain('since 2026-11-18 09:00 UTC, last agreed 2026-11-17 12:00 UTC');
  });
});

describe('mockdrift check --write-baseline / --baseline', () => {
  it('accepts today\'s drift, fails only on new drift, survives moved lines, and reports and drops fixed entries', async () => {
    const written = await runCli(['check', '--fixtures', 'charge.json', '--write-baseline'], { cwd: dir.path });
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toMatch(/baseline written to mockdrift-baseline\.json \(\d+ accepted findings?\)/);
    const baselineFile = join(dir.path, 'mockdrift-baseline.json');
    const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as { accepted: Array<Record<string, unknown>> };
    expect(baseline.accepted.map((entry) => entry['kind'])).toContain('field-renamed');
    expect(JSON.stringify(baseline)).not.toContain('"line"');

    // A reason and an expiry written by a person stay through a rewrite.
    baseline.accepted = baseline.accepted.map((entry) => (entry['kind'] === 'field-renamed' ? { ...entry, reason: 'PAY-12', expires: '2099-01-01' } : entry));
    writeFileSync(baselineFile, `${JSON.stringify(baseline, null, 2)}\n`);

    // Every line of the fixture moves: nothing becomes new.
    writeFileSync(join(dir.path, 'charge.json'), chargeFixture(6));
    const accepted = await runCli(['check', '--fixtures', 'charge.json', '--baseline', '--format', 'json'], { cwd: dir.path });
    expect(accepted.code, accepted.stdout).toBe(0);
    const acceptedReport = JSON.parse(accepted.stdout) as { summary: Record<string, number>; findings: Array<Record<string, unknown>>; fixed: unknown[] };
    expect(acceptedReport.summary['new']).toBe(0);
    expect(acceptedReport.findings.filter((f) => f['severity'] !== 'info').every((f) => f['baseline'] === 'accepted')).toBe(true);

    // A new drift fails; the accepted one stays accepted.
    writeFileSync(join(dir.path, 'charge.json'), chargeFixture(6, { id: 'ch_1', transaction_id: 'txn_1', amount: 1200, carrier: 'dhl' }));
    const fresh = await runCli(['check', '--fixtures', 'charge.json', '--baseline'], { cwd: dir.path });
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toMatch(/field-missing\s+\$\.carrier/);
    expect(fresh.stdout).toMatch(/baseline mockdrift-baseline\.json: \d+ new, \d+ accepted, 0 fixed/);

    // The fixture is fixed: its entry is reported fixed, and --write-baseline drops it.
    writeFileSync(join(dir.path, 'charge.json'), chargeFixture(0, { id: 'ch_1', txn_id: 'txn_1', amount: '1200' }));
    const fixed = await runCli(['check', '--fixtures', 'charge.json', '--baseline', '--format', 'json'], { cwd: dir.path });
    expect(fixed.code).toBe(0);
    const fixedReport = JSON.parse(fixed.stdout) as { summary: Record<string, number>; fixed: Array<Record<string, unknown>> };
    expect(fixedReport.fixed.map((entry) => entry['kind'])).toContain('field-renamed');
    expect(fixedReport.summary['fixed']).toBeGreaterThan(0);
    const shrunk = await runCli(['check', '--fixtures', 'charge.json', '--write-baseline'], { cwd: dir.path });
    expect(shrunk.code).toBe(0);
    expect(readFileSync(baselineFile, 'utf8')).not.toContain('transaction_id');
  }, 60_000);

  it('fails again on an expired entry, saying so', async () => {
    writeFileSync(join(dir.path, 'charge.json'), chargeFixture());
    const file = join(dir.path, 'expiring.json');
    await runCli(['check', '--fixtures', 'charge.json', '--write-baseline', 'expiring.json'], { cwd: dir.path });
    const baseline = JSON.parse(readFileSync(file, 'utf8')) as { accepted: Array<Record<string, unknown>> };
    writeFileSync(file, JSON.stringify({ ...baseline, accepted: baseline.accepted.map((entry) => ({ ...entry, expires: '2020-01-01' })) }));
    const result = await runCli(['check', '--fixtures', 'charge.json', '--baseline', 'expiring.json'], { cwd: dir.path });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('accepted it until 2020-01-01; that has expired');
  }, 30_000);

  it('takes the baseline from the config file too', async () => {
    writeFileSync(join(dir.path, 'charge.json'), chargeFixture());
    await runCli(['check', '--fixtures', 'charge.json', '--write-baseline', 'from-config.json'], { cwd: dir.path });
    writeFileSync(join(dir.path, 'mockdrift.config.json'), JSON.stringify({ baseline: 'from-config.json' }));
    try {
      const result = await runCli(['check', '--fixtures', 'charge.json'], { cwd: dir.path });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('baseline from-config.json:');
    } finally {
      writeFileSync(join(dir.path, 'mockdrift.config.json'), '{}');
    }
  }, 30_000);

  it('refuses a missing or broken baseline with exit 2 and the next step', async () => {
    const missing = await runCli(['check', '--fixtures', 'charge.json', '--baseline', 'nope.json'], { cwd: dir.path });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Write one with mockdrift check --write-baseline nope.json');
    writeFileSync(join(dir.path, 'broken.json'), '{"version":1,"accepted":[{"kind":1}]}');
    const broken = await runCli(['check', '--fixtures', 'charge.json', '--baseline', 'broken.json'], { cwd: dir.path });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('The baseline broken.json has an entry 1 without a "fixture" string');
  }, 30_000);
});

describe('mockdrift history', () => {
  it('prints each field\'s first and last appearance and type changes as text', async () => {
    const result = await runCli(['history', '--route', 'GET /v1/charges/:id'], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('payments  GET /v1/charges/:id  —  10 recordings, 2026-11-17 08:00 UTC → 2026-11-18 13:00 UTC');
    expect(result.stdout).toMatch(/\$\.transaction_id\s+2026-11-17 08:00 UTC\s+2026-11-17 12:00 UTC\s+5\/10\s+gone\s+string/);
    expect(result.stdout).toMatch(/\$\.txn_id\s+2026-11-18 09:00 UTC\s+2026-11-18 13:00 UTC\s+5\/10\s+new\s+string/);
    expect(result.stdout).toMatch(/\$\.id\s+2026-11-17 08:00 UTC\s+2026-11-18 13:00 UTC\s+10\/10\s+string/);
    expect(result.stdout).toContain('number (2026-11-17 08:00 UTC → 2026-11-17 12:00 UTC, 5), string (2026-11-18 09:00 UTC → 2026-11-18 13:00 UTC, 5)');
  });

  it('gives one field as JSON, and takes a concrete path to its route', async () => {
    const result = await runCli(['history', '--route', 'GET /v1/charges/ch_123', '--path', '$.txn_id', '--format', 'json'], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(0);
    const history = JSON.parse(result.stdout) as { version: number; routes: Array<{ route: string; statuses: Array<{ status: number; fields: unknown[] }> }> };
    expect(history.version).toBe(1);
    expect(history.routes).toHaveLength(1);
    expect(history.routes[0]!.route).toBe('/v1/charges/:id');
    expect(history.routes[0]!.statuses[0]).toMatchObject({
      status: 200,
      recordings: 10,
      fields: [{ path: '$.txn_id', firstSeen: RENAMED[0], lastSeen: RENAMED[4], recordings: 5, types: [{ type: 'string', firstSeen: RENAMED[0], lastSeen: RENAMED[4], recordings: 5 }] }],
    });
  });

  it('says there is nothing for a route never recorded, with exit 3', async () => {
    const result = await runCli(['history', '--route', 'GET /v1/refunds'], { cwd: dir.path });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('No recordings in recordings/mockdrift.db for route GET /v1/refunds. mockdrift routes lists what was recorded.');
  });
});
