import { copyFileSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFixtures } from '../../src/formats/load-fixtures.js';
import { runCli, spawnCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/**
 * A Polly.JS recording of a real public API (JSONPlaceholder, 2018, every header the browser saw)
 * as the team's fixtures; a local sandbox answers through `mockdrift record`, then
 * `mockdrift check --format json`.
 */
const HAR = fileURLToPath(new URL('./real/netflix-pollyjs-jsonplaceholder-2018.har', import.meta.url));
const URLS = ['/posts?_end=10&_order=ASC&_sort=title&_start=0', '/users?id_like=3%7C9%7C2%7C7%7C10%7C5'];
const STARTED = /mockdrift recording (http:\/\/127\.0\.0\.1:\d+) -> /;

interface JsonReport {
  summary: { verified: number; breaking: number; warning: number };
  findings: Array<{ kind: string; severity: string; path?: string; actual?: unknown; message: string }>;
}

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream | undefined;
let running: RunningCli | undefined;
let bodies: Map<string, unknown>;

beforeEach(async () => {
  dir = tempDir('mockdrift-polly-');
  mkdirSync(join(dir.path, 'fixtures'), { recursive: true });
  copyFileSync(HAR, join(dir.path, 'fixtures/jsonplaceholder.har'));
  const interactions = await loadFixtures(['fixtures/'], { cwd: dir.path });
  bodies = new Map(interactions.map((interaction) => [interaction.request.path!, interaction.response.body]));
});

afterEach(async () => {
  if (running && running.process.exitCode === null) running.process.kill('SIGKILL');
  running = undefined;
  await upstream?.close();
  upstream = undefined;
  dir.remove();
});

async function recordAndCheck(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ code: number | null; report: JsonReport }> {
  upstream = await startUpstream(handler);
  running = spawnCli(['record', '--target', upstream.url, '--port', '0'], { cwd: dir.path });
  const proxy = (await running.waitForLine(STARTED))[1]!;
  for (const url of URLS) await (await fetch(`${proxy}${url}`)).arrayBuffer();
  running.process.kill('SIGINT');
  expect((await running.exited()).code).toBe(0);
  const result = await runCli(['check', '--format', 'json'], { cwd: dir.path });
  return { code: result.code, report: JSON.parse(result.stdout) as JsonReport };
}

describe('real traffic: a Polly.JS recording of JSONPlaceholder', () => {
  it('passes against the same answers without the headers the server sent incidentally: they are info, not warnings', async () => {
    expect(bodies.size).toBe(2);
    const { code, report } = await recordAndCheck((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(bodies.get(new URL(req.url!, 'http://x').pathname)));
    });
    expect(report.findings.filter((finding) => finding.severity !== 'info')).toEqual([]);
    expect(code).toBe(0);
    expect(report.summary.verified).toBe(2);
    const headers = report.findings.filter((finding) => finding.kind === 'header-missing').map((finding) => finding.path);
    expect(headers).toEqual(expect.arrayContaining(['headers.x-powered-by', 'headers.x-total-count', 'headers.cf-ray', 'headers.status']));
  });

  it('fails when the sandbox is down (503 everywhere): status-changed for each fixture, naming the status', async () => {
    const { code, report } = await recordAndCheck((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html><body>Service Unavailable</body></html>');
    });
    expect(code).toBe(1);
    expect(report.findings.filter((finding) => finding.severity !== 'info').map((finding) => finding.kind)).toEqual(['status-changed', 'status-changed']);
    for (const finding of report.findings.filter((entry) => entry.kind === 'status-changed')) {
      expect(finding).toMatchObject({ actual: 503 });
      expect(finding.message).toContain('503 (1)');
      expect(finding.message).toContain('sandbox failed');
    }
  });
});
