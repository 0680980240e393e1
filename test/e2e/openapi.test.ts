import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, spawnCli } from '../support/cli.js';
import { request } from '../support/http-client.js';
import { sampleOf } from '../support/schema-samples.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const SPEC = 'tfranzel__drf-spectacular__tests__test_basic.yml';
const SPEC_PATH = resolve('../shared/real-fixtures/openapi', SPEC);
const root = parse(readFileSync(SPEC_PATH, 'utf8')) as unknown;
const album = (): Record<string, unknown> => sampleOf({ $ref: '#/components/schemas/Album' }, root) as Record<string, unknown>;

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream;
/** What the sandbox does to each album it answers with. */
let drift: (body: Record<string, unknown>) => Record<string, unknown> = (body) => body;

async function record(paths: readonly string[], db = 'recordings/mockdrift.db'): Promise<void> {
  const recorder = spawnCli(['record', '--target', upstream.url, '--port', '0', '--quiet', '--db', db], { cwd: dir.path });
  const [, url] = await recorder.waitForLine(/recording (http:\/\/\S+)/);
  for (const path of paths) await request(`${url!}${path}`);
  recorder.process.kill('SIGTERM');
  expect((await recorder.exited()).code).toBe(0);
}

beforeAll(async () => {
  dir = tempDir();
  copyFileSync(SPEC_PATH, join(dir.path, 'openapi.yml'));
  upstream = await startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/albums/') res.writeHead(200).end(JSON.stringify([drift(album()), drift(album())]));
    else if (/^\/albums\/\d+\/$/.test(req.url ?? '')) res.writeHead(200).end(JSON.stringify(drift(album())));
    else res.writeHead(404).end('{"detail":"Not found."}');
  });
});

afterAll(async () => {
  await upstream.close();
  dir.remove();
});

describe('an OpenAPI document as the fixture, recorded through the real proxy', () => {
  it('passes when the sandbox answers what the spec says', async () => {
    await record(['/albums/', '/albums/1/', '/albums/2/']);
    const result = await runCli(['check', '--fixtures', 'openapi.yml', '--format', 'json'], { cwd: dir.path });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { findings: Array<{ severity: string; kind: string }> };
    expect(report.findings.filter((finding) => finding.severity !== 'info')).toEqual([]);
  });

  it('fails on a renamed required property, pointing at its line in the spec', async () => {
    drift = ({ title, ...rest }) => ({ ...rest, albumTitle: title });
    await record(['/albums/7/'], 'recordings/drifted.db');
    const result = await runCli(['check', '--fixtures', 'openapi.yml', '--format', 'json', '--db', 'recordings/drifted.db'], { cwd: dir.path });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: Array<{ kind: string; path?: string; to?: string; fixture: string; line: number }> };
    const renamed = report.findings.find((finding) => finding.kind === 'field-renamed');
    expect(renamed).toMatchObject({ path: '$.title', to: '$.albumTitle', fixture: 'openapi.yml' });
    expect(readFileSync(join(dir.path, 'openapi.yml'), 'utf8').split('\n')[renamed!.line - 1]).toMatch(/^\s+title:/);
    drift = (body) => body;
  });

  it('leaves the spec alone on update, and says so', async () => {
    const before = readFileSync(join(dir.path, 'openapi.yml'), 'utf8');
    const result = await runCli(['update', '--fixtures', 'openapi.yml', '--db', 'recordings/drifted.db'], { cwd: dir.path });
    expect(result.stderr).toMatch(/not updated: field-renamed \$\.title in openapi\.yml:\d+ \(update does not rewrite OpenAPI documents/);
    expect(readFileSync(join(dir.path, 'openapi.yml'), 'utf8')).toBe(before);
  });
});

describe('check --spec: mocks against the spec, no recordings', () => {
  it('exits 0 for mocks that fit and 1 for a drifted one, each finding saying "source": "spec"', async () => {
    const work = tempDir();
    try {
      copyFileSync(SPEC_PATH, join(work.path, 'openapi.yml'));
      mkdirSync(join(work.path, 'mocks'));
      const good = { request: { method: 'GET', path: '/albums/3/' }, response: { status: 200, body: album() } };
      writeFileSync(join(work.path, 'mocks', 'album.json'), JSON.stringify(good, null, 2));
      const clean = await runCli(['check', '--spec', 'openapi.yml', '--fixtures', 'mocks/', '--format', 'json'], { cwd: work.path });
      expect(clean.code).toBe(0);
      expect(JSON.parse(clean.stdout)).toMatchObject({ summary: { fixtures: 1, verified: 1, breaking: 0, warning: 0 } });

      const { year: _, ...withoutYear } = album();
      writeFileSync(join(work.path, 'mocks', 'album.json'), JSON.stringify({ ...good, response: { status: 200, body: { ...withoutYear, title: 42 } } }, null, 2));
      const drifted = await runCli(['check', '--spec', 'openapi.yml', '--fixtures', 'mocks/', '--format', 'json'], { cwd: work.path });
      expect(drifted.code).toBe(1);
      const report = JSON.parse(drifted.stdout) as { findings: Array<{ kind: string; path?: string; source?: string; fixture: string }> };
      expect(report.findings.map((finding) => `${finding.source} ${finding.kind} ${finding.path}`).sort()).toEqual(['spec field-missing $.year', 'spec type-changed $.title']);
      expect(report.findings.every((finding) => finding.fixture === 'mocks/album.json')).toBe(true);

      const missing = await runCli(['check', '--spec', 'nope.yml', '--fixtures', 'mocks/'], { cwd: work.path });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--spec nope.yml: no such file');
    } finally {
      work.remove();
    }
  });
});
