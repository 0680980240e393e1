import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/**
 * Real traffic, checked as a user checks it: recordings of the GitHub REST API made by the
 * octokit project with nock in 2017 are the team's fixtures; the same scenario recorded in 2022
 * is what a local server answers, through `mockdrift record`, then `mockdrift check --format json`.
 */
const OLD = fileURLToPath(new URL('./real/octokit-branch-protection-2017.nock.json', import.meta.url));
const NEW = fileURLToPath(new URL('./real/octokit-branch-protection-2022.nock.json', import.meta.url));
const STARTED = /mockdrift recording (http:\/\/127\.0\.0\.1:\d+) -> /;
const CONFIG = { routes: ['/repos/:owner/:repo/branches/:branch/protection'] };

interface NockEntry {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly status: number;
  readonly response: unknown;
  readonly headers: Record<string, string | number>;
}

interface JsonReport {
  summary: { fixtures: number; verified: number; unverified: number; breaking: number; warning: number; info: number };
  findings: Array<{ kind: string; severity: string; path?: string; expected?: unknown; actual?: unknown; message: string; interaction: string; group?: string }>;
}

const entries = (file: string): NockEntry[] => JSON.parse(readFileSync(file, 'utf8')) as NockEntry[];

/** Answers each recorded request (same method, path and JSON body) as it was answered then. */
function replay(recorded: readonly NockEntry[]) {
  return (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const text = body.toString('utf8');
    const entry = recorded.find(
      (candidate) =>
        candidate.method.toUpperCase() === req.method &&
        candidate.path === req.url &&
        (candidate.body === '' ? text === '' : text !== '' && JSON.stringify(JSON.parse(text)) === JSON.stringify(candidate.body)),
    );
    if (!entry) {
      res.writeHead(599, { 'content-type': 'text/plain' });
      res.end('not recorded');
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(entry.headers)
        .filter(([name]) => !['connection', 'content-length', 'transfer-encoding'].includes(name))
        .map(([name, value]) => [name, String(value)]),
    );
    res.writeHead(entry.status, headers);
    res.end(entry.response === '' ? undefined : JSON.stringify(entry.response));
  };
}

/** A sandbox whose token expired: every request is refused. */
function refuseEverything(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'x-github-media-type': 'github.v3; format=json' });
  res.end(JSON.stringify({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }));
}

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream | undefined;
let running: RunningCli | undefined;

beforeEach(() => {
  dir = tempDir('mockdrift-real-');
  mkdirSync(join(dir.path, 'fixtures/github'), { recursive: true });
  copyFileSync(OLD, join(dir.path, 'fixtures/github/branch-protection.nock.json'));
  writeFileSync(join(dir.path, 'mockdrift.config.json'), JSON.stringify(CONFIG));
});

afterEach(async () => {
  if (running && running.process.exitCode === null) running.process.kill('SIGKILL');
  running = undefined;
  await upstream?.close();
  upstream = undefined;
  dir.remove();
});

/** Starts `mockdrift record` in front of the sandbox, sends the 2022 requests through it, stops it. */
async function recordThrough(handler: Parameters<typeof startUpstream>[0]): Promise<void> {
  upstream = await startUpstream(handler);
  running = spawnCli(['record', '--target', upstream.url, '--port', '0'], { cwd: dir.path });
  const proxy = (await running.waitForLine(STARTED))[1]!;
  for (const entry of entries(NEW)) {
    const response = await fetch(`${proxy}${entry.path}`, {
      method: entry.method.toUpperCase(),
      headers: { accept: 'application/vnd.github.v3+json', authorization: 'token 0000000000000000000000000000000000000001', ...(entry.body !== '' ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
      ...(entry.body !== '' ? { body: JSON.stringify(entry.body) } : {}),
    });
    await response.arrayBuffer();
    expect(response.status).not.toBe(599);
  }
  running.process.kill('SIGINT');
  expect((await running.exited()).code).toBe(0);
}

async function checkJson(): Promise<{ code: number | null; report: JsonReport }> {
  const result = await runCli(['check', '--format', 'json'], { cwd: dir.path });
  return { code: result.code, report: JSON.parse(result.stdout) as JsonReport };
}

describe('real traffic: GitHub branch protection, 2017 recordings against 2022 answers', () => {
  it('passes: different request bodies are not merged, incidental headers are info, a 204 has no content type to change', async () => {
    await recordThrough(replay(entries(NEW)));
    const { code, report } = await checkJson();
    expect(report.findings.filter((finding) => finding.severity !== 'info')).toEqual([]);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ fixtures: 4, verified: 4, unverified: 0, breaking: 0, warning: 0 });
    // GitHub stopped sending `Status`: nock had recorded it, nobody declared it.
    const headers = report.findings.filter((finding) => finding.kind === 'header-missing');
    expect(headers.map((finding) => finding.path).sort()).toContain('headers.status');
    expect(headers.every((finding) => finding.severity === 'info')).toBe(true);
    // What GitHub added since 2017 is reported as such.
    expect(report.findings.some((finding) => finding.kind === 'field-added' && finding.path === '$.required_signatures')).toBe(true);
    // The two PUTs were each compared with their own request: no field is "optional" for merging them.
    expect(report.findings.some((finding) => finding.kind === 'field-optional' || finding.kind === 'field-nullable')).toBe(false);
  });

  it('fails when the sandbox refuses the credentials: every fixture is status-changed, naming 401 and the refused credentials', async () => {
    await recordThrough(refuseEverything);
    const { code, report } = await checkJson();
    expect(code).toBe(1);
    const changed = report.findings.filter((finding) => finding.kind === 'status-changed');
    expect(changed.map((finding) => finding.expected).sort()).toEqual([200, 200, 204, 404]);
    for (const finding of changed) {
      expect(finding).toMatchObject({ severity: 'breaking', actual: 401 });
      expect(finding.message).toContain('401 (');
      expect(finding.message).toContain('refused the credentials');
    }
    // Nothing was compared as a body: a refusal says nothing about one.
    expect(report.findings.filter((finding) => finding.path?.startsWith('$'))).toEqual([]);
    // One cause: the findings share a group.
    expect(new Set(changed.map((finding) => finding.group)).size).toBe(1);
  });
});
