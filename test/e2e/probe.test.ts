import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { closedPort, startUpstream, type Upstream } from '../support/upstream.js';

let dir: ReturnType<typeof tempDir>;
let upstream: Upstream;

/** The sandbox: charges answer `txn_id` where the fixtures still say `transaction_id`. */
beforeEach(async () => {
  dir = tempDir();
  upstream = await startUpstream((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/balance') res.writeHead(200).end(JSON.stringify({ available: 100, currency: 'eur' }));
    else if (req.url?.startsWith('/v1/charges/')) res.writeHead(200).end(JSON.stringify({ id: 'ch_1', txn_id: 'txn_9', amount: 1200 }));
    else if (req.url === '/v1/charges') res.writeHead(201).end(JSON.stringify({ id: 'ch_2', txn_id: 'txn_2', amount: 1200 }));
    else res.writeHead(404).end('{"error":"not_found"}');
  });
  writeFixture('balance.json', {
    service: 'payments',
    request: { method: 'GET', path: '/v1/balance' },
    response: { status: 200, body: { available: 100, currency: 'eur' } },
  });
  writeFixture('charges.json', {
    service: 'payments',
    interactions: [
      { request: { method: 'GET', path: '/v1/charges/101' }, response: { status: 200, body: { id: 'ch_1', transaction_id: 'txn_1', amount: 1200 } } },
      { request: { method: 'GET', path: '/v1/charges/102' }, response: { status: 200, body: { id: 'ch_2', transaction_id: 'txn_2', amount: 1200 } } },
      { request: { method: 'POST', path: '/v1/charges', body: { amount: 1200 } }, response: { status: 201, body: { id: 'ch_2', transaction_id: 'txn_2' } } },
    ],
  });
});

afterEach(async () => {
  await upstream.close();
  dir.remove();
});

function writeFixture(name: string, content: unknown): void {
  mkdirSync(join(dir.path, 'fixtures'), { recursive: true });
  writeFileSync(join(dir.path, 'fixtures', name), JSON.stringify(content, null, 2));
}

function probeCli(extra: string[] = [], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runCli> {
  return runCli(['probe', '--target', upstream.url, ...extra], { cwd: dir.path, env });
}

describe('mockdrift probe, run as a user runs it', () => {
  it('stores one exchange per fixture request, skips the POST and says so', async () => {
    const result = await probeCli();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('skipped POST /v1/charges (fixtures/charges.json): unsafe method (pass --allow-unsafe)');
    expect(result.stderr).toMatch(/^200 GET \/v1\/balance \d+ ms( [\d.]+ k?B)?$/m);
    expect(result.stderr).toMatch(/3 request\(s\), 3 answered, 0 failed, 1 skipped; stored 3 exchange\(s\)/);
    expect(upstream.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);

    const routes = await runCli(['routes', '--format', 'json'], { cwd: dir.path });
    expect(routes.code).toBe(0);
    expect(JSON.parse(routes.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'payments', method: 'GET', route: '/v1/balance', status: 200, count: 1 }),
        expect.objectContaining({ service: 'payments', method: 'GET', route: '/v1/charges/:id', status: 200, count: 2 }),
      ]),
    );
    expect(JSON.parse(routes.stdout)).toHaveLength(2);
  });

  it('replays the POST too with --allow-unsafe', async () => {
    const result = await probeCli(['--allow-unsafe']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('warning skipped');
    expect(upstream.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('exits 3 naming the URL when nothing listens at the target, without a stack trace', async () => {
    const target = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(['probe', '--target', target, '--retries', '0'], { cwd: dir.path });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`The sandbox at ${target} is unreachable`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('sends headers that read the environment, and refuses an unset variable', async () => {
    const header = 'Authorization: Bearer ${SANDBOX_TOKEN}';
    const ok = await probeCli(['--header', header], { SANDBOX_TOKEN: 'tok-e2e-123' });
    expect(ok.code).toBe(0);
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-e2e-123', 'Bearer tok-e2e-123', 'Bearer tok-e2e-123']);

    const unset = await probeCli(['--header', header], { SANDBOX_TOKEN: undefined });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('SANDBOX_TOKEN');
    expect(unset.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a header that is not "Name: value"', async () => {
    const result = await probeCli(['--header', 'Authorization Bearer x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'Name: value'");
  });

  it('with --check prints the report and exits 1 on drift', async () => {
    const result = await probeCli(['--check', '--format', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: Array<{ kind: string; path?: string; to?: string }> };
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'field-renamed', path: '$.transaction_id', to: '$.txn_id' }));
  });

  it('with --check exits 0 when the fixtures match and the report is not failing', async () => {
    const result = await probeCli(['--check', '--fixtures', 'fixtures/balance.json']);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(0);
  });
});
