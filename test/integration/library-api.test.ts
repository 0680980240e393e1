import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { check, formatReport, loadFixtures, update, MockdriftError, type ReportFormat } from '../../src/index.js';
import { REPORT_FORMAT_NAMES } from '../../src/cli/report-output.js';
import { recordInto, writeFixture, type FixtureSpec, type RecordingSpec } from '../corpus/harness.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const FIXTURE: FixtureSpec = {
  service: 'payments',
  name: 'create a charge',
  method: 'POST',
  path: '/v1/charges',
  status: 201,
  body: { id: 'ch_1', transaction_id: 'txn_1', amount: 1200 },
};

const RECORDINGS: RecordingSpec[] = [1, 2, 3].map((index) => ({
  method: 'POST',
  path: '/v1/charges',
  status: 201,
  body: { id: `ch_${index}`, txn_id: `txn_${index}`, amount: 1000 + index },
}));

let project: ReturnType<typeof tempDir>;

beforeEach(async () => {
  project = tempDir('mockdrift-library-');
  writeFixture(project.path, 'native', FIXTURE);
  mkdirSync(join(project.path, 'recordings'));
  await recordInto(join(project.path, 'recordings', 'mockdrift.db'), RECORDINGS, 'payments');
});

afterEach(() => project.remove());

describe('check(options)', () => {
  it('returns the data of check --format json, with the CLI defaults (fixtures/ against recordings/mockdrift.db)', async () => {
    const report = await check({ cwd: project.path });
    const cli = await runCli(['check', '--format', 'json'], { cwd: project.path });
    expect(cli.code).toBe(1);
    const printed = JSON.parse(cli.stdout) as Record<string, unknown>;
    expect(JSON.parse(formatReport(report, 'json'))).toEqual(printed);
    expect({ version: report.version, summary: report.summary }).toEqual({ version: printed['version'], summary: printed['summary'] });
    expect(report.summary.breaking).toBeGreaterThan(0);
    expect(report.findings.map((finding) => finding.kind)).toContain('field-renamed');
  });

  it('takes the CLI flags in camelCase: requireCoverage, maxAge, since, ignore, service, db, fixtures', async () => {
    writeFixture(project.path, 'native', { ...FIXTURE, name: 'a refund', path: '/v1/refunds', body: { id: 're_1' } });
    mkdirSync(join(project.path, 'elsewhere'));
    await recordInto(join(project.path, 'elsewhere', 'other.db'), RECORDINGS, 'payments');

    const lenient = await check({ cwd: project.path, db: 'elsewhere/other.db', fixtures: ['fixtures/'] });
    const strict = await check({ cwd: project.path, db: 'elsewhere/other.db', requireCoverage: true, maxAge: '1d', ignore: ['$.transaction_id'] });
    const kinds = (report: typeof strict): string[] => report.findings.map((finding) => `${finding.severity} ${finding.kind}`);
    expect(kinds(lenient)).toContain('breaking field-renamed');
    expect(kinds(strict)).not.toContain('breaking field-renamed');
    expect(kinds(strict)).toContain('breaking unverified');
    expect(kinds(strict).some((line) => line.includes('stale'))).toBe(true);
    await expect(check({ cwd: project.path, since: '1d' })).rejects.toMatchObject({ code: 'NOTHING_TO_CHECK' });
    await expect(check({ cwd: project.path, service: 'warehouse' })).rejects.toMatchObject({ code: 'NOTHING_TO_CHECK' });
  });

  it('reads its defaults from the project config, as the CLI does', async () => {
    mkdirSync(join(project.path, 'store'));
    await recordInto(join(project.path, 'store', 'x.db'), RECORDINGS, 'payments');
    writeFileSync(join(project.path, 'mockdrift.config.json'), JSON.stringify({ db: 'store/x.db', ignore: ['$.transaction_id'] }));
    const report = await check({ cwd: project.path });
    expect(report.findings.filter((finding) => finding.kind === 'field-renamed')).toEqual([]);
    const overridden = await check({ cwd: project.path, config: {} });
    expect(overridden.findings.some((finding) => finding.kind === 'field-renamed')).toBe(true);
  });

  it('throws a MockdriftError with the exit-3 code, naming the store, when the store does not exist', async () => {
    const error = await check({ cwd: project.path, db: 'nowhere/mockdrift.db' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MockdriftError);
    expect(error).toMatchObject({ code: 'NOTHING_TO_CHECK', exitCode: 3 });
    expect((error as Error).message).toContain('nowhere/mockdrift.db');
  });

  it('rejects a duration it cannot read, naming the option', async () => {
    await expect(check({ cwd: project.path, maxAge: 'soon' })).rejects.toThrow(/maxAge: "soon" is not a duration/);
  });
});

describe('formatReport(report, format)', () => {
  it.each(REPORT_FORMAT_NAMES.filter((format) => format !== 'json'))('renders %s exactly as check --format prints it', async (format) => {
    const report = await check({ cwd: project.path });
    const cli = await runCli(['check', '--format', format], { cwd: project.path });
    // The HTML report's script nonce is fresh on every render.
    const stable = (text: string): string => text.replace(/nonce(-|=")[A-Za-z0-9+/=]*/g, 'nonce').trimEnd();
    expect(stable(cli.stdout)).toBe(stable(formatReport(report, format as ReportFormat)));
  });

  it('refuses a format it does not know, naming the ones it does', async () => {
    const report = await check({ cwd: project.path });
    expect(() => formatReport(report, 'yaml' as ReportFormat)).toThrow(/"yaml" is not a report format; use one of text, json/);
  });
});

describe('loadFixtures and update from the package entry', () => {
  it('loads the fixtures a check would read', async () => {
    const interactions = await loadFixtures(['fixtures/'], { cwd: project.path });
    expect(interactions.map((interaction) => `${interaction.request.method} ${interaction.request.path} ${interaction.response.status}`)).toEqual([
      'POST /v1/charges 201',
    ]);
  });

  it('update rewrites the drift away, and a check then finds no breaking drift', async () => {
    const result = await update({ cwd: project.path });
    expect(result.files.map((file) => file.file)).toEqual(['fixtures/create-a-charge.json']);
    expect(readFileSync(join(project.path, 'fixtures', 'create-a-charge.json'), 'utf8')).toContain('"txn_id"');
    expect((await check({ cwd: project.path })).summary.breaking).toBe(0);
  });
});
