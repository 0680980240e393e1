import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareExchange } from '../../src/capture/prepare-exchange.js';
import { Redactor } from '../../src/capture/redactor.js';
import { SqliteRecordingStore } from '../../src/store/sqlite-recording-store.js';
import { compileSafeRegex, UnsafeRegexError } from '../../src/model/safe-regex.js';
import { recordInto } from '../corpus/harness.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/*
 * Hostile fixtures and recordings through the real CLI: regular expressions that backtrack
 * exponentially, a 200,000-element array, WireMock body files that climb out of their folder.
 * Each gives a result or a clear input error within the command's bound — never a hang, a crash
 * or a file read from elsewhere.
 */

const pact = (interactions: unknown[]): string =>
  JSON.stringify({ consumer: { name: 'web' }, provider: { name: 'svc' }, interactions, metadata: { pactSpecification: { version: '3.0.0' } } }, null, 2);

describe('regular expressions from fixtures and config run in linear time', () => {
  const dir = tempDir('mockdrift-redos-');
  const cwd = dir.path;
  const evil = `${'x'.repeat(50_000)}!`;

  beforeAll(async () => {
    await recordInto(join(cwd, 'recordings', 'mockdrift.db'), [
      { method: 'GET', path: '/v1/items/1', status: 200, body: { code: evil, name: 'widget' } },
      { method: 'GET', path: '/v1/items/2', status: 200, body: { code: evil, name: 'widget' } },
    ], 'svc');
    mkdirSync(join(cwd, 'fixtures'));
    const interaction = (pattern: string) => ({
      description: 'an item',
      request: { method: 'GET', path: '/v1/items/1' },
      response: {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: { code: 'xxy', name: 'widget' },
        matchingRules: { body: { '$.code': { matchers: [{ match: 'regex', regex: pattern }] } } },
      },
    });
    writeFileSync(join(cwd, 'fixtures', 'redos.json'), pact([interaction('^(x+)+y$')]));
    mkdirSync(join(cwd, 'backref'));
    writeFileSync(join(cwd, 'backref', 'backref.json'), pact([interaction('^(x+)\\1y$')]));
    mkdirSync(join(cwd, 'wiremock', 'mappings'), { recursive: true });
    writeFileSync(
      join(cwd, 'wiremock', 'mappings', 'items.json'),
      JSON.stringify({ request: { method: 'GET', urlPattern: '/v1/items/(x+x+)+y' }, response: { status: 200, jsonBody: { name: 'widget' } } }),
    );
  });
  afterAll(() => dir.remove());

  it('a Pact regex matcher ^(x+)+y$ against a 50,000-character recorded value gives its finding at once', async () => {
    const started = Date.now();
    const result = await runCli(['check', '--fixtures', 'fixtures', '--format', 'json'], { cwd, timeoutMs: 30_000 });
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: Array<{ kind: string; path: string; evidence: { recordings: number; matching: number } }> };
    const finding = report.findings.find((item) => item.kind === 'value-changed' && item.path === '$.code');
    expect(finding?.evidence).toMatchObject({ recordings: 2, matching: 0 });
    // The bound this test holds it to is the CLI's 30 s timeout; in practice it is the CLI's start-up time.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a Pact regex with a backreference is an input error naming the file, the path and why (exit 2)', async () => {
    const result = await runCli(['check', '--fixtures', 'backref'], { cwd, timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('backref/backref.json');
    expect(result.stderr).toContain('$.code');
    expect(result.stderr).toMatch(/backreference or a lookaround/);
  });

  it('a WireMock urlPattern (x+x+)+y matches recorded paths in linear time: the stub is unverified with its reason', async () => {
    const result = await runCli(['check', '--fixtures', 'wiremock', '--format', 'json'], { cwd, timeoutMs: 30_000 });
    expect(result.signal).toBeNull();
    const report = JSON.parse(result.stdout) as { findings: Array<{ kind: string }> };
    expect(report.findings.map((finding) => finding.kind)).toEqual(['unverified']);
  });

  it('compileSafeRegex: exponential patterns answer at once; backreferences and lookarounds are refused with the reason', () => {
    for (const pattern of ['^(x+)+y$', '^(a|a)*$', '^(a|aa)+$', '(x+x+)+y', '^([a-z]+)*[0-9]$']) {
      expect(compileSafeRegex(pattern).test(`${'x'.repeat(100_000)}!`)).toBe(false);
    }
    for (const pattern of ['(a)\\1', '(?<=a)b', '(?!a)b', '(?<n>a)\\k<n>']) {
      expect(() => compileSafeRegex(pattern)).toThrow(UnsafeRegexError);
      expect(() => compileSafeRegex(pattern)).toThrow(/backreference or a lookaround/);
    }
  });

  it('configured redact.values and redact.fields run on RE2: an exponential pattern over a 100,000-character body ends', () => {
    const redactor = new Redactor({ values: ['(x+x+)+y'], fields: '^(a+)+$' });
    const text = `${'x'.repeat(100_000)}!`;
    expect(redactor.redactText(text).changed).toBe(false);
    expect(redactor.redactJson({ [`${'a'.repeat(50_000)}!b`]: 'v' }).changed).toBe(false);
    expect(() => new Redactor({ values: ['(a)\\1'] })).toThrow(/values.*\(a\)\\1.*backreference/);
  });

  it('a configured pattern with a lookaround is a config error (exit 2) naming the pattern', async () => {
    writeFileSync(join(cwd, 'mockdrift.config.json'), JSON.stringify({ redact: { values: ['(?<=secret=)\\w+'] } }));
    try {
      writeFileSync(join(cwd, 'empty.har'), JSON.stringify({ log: { version: '1.2', entries: [] } }));
      const result = await runCli(['import', 'empty.har'], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('(?<=secret=)');
    } finally {
      writeFileSync(join(cwd, 'mockdrift.config.json'), '{}');
    }
  });
});

describe('a 200,000-element array in a recorded body (and in the fixture)', () => {
  const dir = tempDir('mockdrift-big-array-');
  const cwd = dir.path;
  const items = Array.from({ length: 200_000 }, (_, index) => ({ id: index, sku: `S${index}` }));

  beforeAll(async () => {
    // Stored as `record` stores it (its --max-body is 10 MB; this body is about 6 MB).
    const body = Buffer.from(JSON.stringify({ items, total: 200_000, numbers: Array.from({ length: 200_000 }, (_, i) => i) }));
    const exchange = await prepareExchange(
      {
        source: 'record',
        service: 'svc',
        session: 'big',
        startedAt: Date.now(),
        durationMs: 5,
        method: 'GET',
        url: 'http://127.0.0.1:1/v1/items',
        requestHeaders: {},
        requestBody: null,
        requestBodyTruncated: false,
        status: 200,
        responseHeaders: { 'content-type': 'application/json' },
        responseBody: new Uint8Array(body),
        responseBodyTruncated: false,
        error: null,
      },
      { redactor: new Redactor(), maxBodyBytes: 10 * 1024 * 1024 },
    );
    expect(exchange.responseShape).not.toBeNull();
    const store = SqliteRecordingStore.open(join(cwd, 'recordings', 'mockdrift.db'));
    store.insert([exchange]);
    store.close();
    mkdirSync(join(cwd, 'fixtures'));
    writeFileSync(
      join(cwd, 'fixtures', 'items.json'),
      pact([
        {
          description: 'the items',
          request: { method: 'GET', path: '/v1/items' },
          response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: { items: [{ id: 1, sku: 'S1' }, { id: 2, sku: 'S2' }], total: 2, numbers: Array.from({ length: 200_000 }, (_, i) => i + 1) } },
        },
      ]),
    );
  }, 60_000);
  afterAll(() => dir.remove());

  it('check compares it and reports, without a stack overflow', async () => {
    const result = await runCli(['check', '--fixtures', 'fixtures', '--format', 'json'], { cwd, timeoutMs: 60_000 });
    expect(result.stderr).not.toMatch(/Maximum call stack|RangeError/);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: Array<{ kind: string; path: string }> };
    expect(report.findings.some((finding) => finding.path === '$.total')).toBe(true);
  }, 70_000);

  it('update plans its edits without a stack overflow', async () => {
    const result = await runCli(['update', '--fixtures', 'fixtures', '--dry-run'], { cwd, timeoutMs: 60_000 });
    expect(result.stderr).not.toMatch(/Maximum call stack|RangeError/);
    expect(result.code, result.stderr).toBe(0);
  }, 70_000);
});

describe('WireMock body files stay below their folder', () => {
  const dir = tempDir('mockdrift-bodyfile-');
  const cwd = dir.path;
  const outsideSecret = 'outside7Qm2LkP9sZx4Rt6Vb8Nc1';

  beforeAll(async () => {
    await recordInto(join(cwd, 'recordings', 'mockdrift.db'), [{ method: 'GET', path: '/v1/a', status: 200, body: { name: 'real' } }]);
    mkdirSync(join(cwd, 'outside'));
    writeFileSync(join(cwd, 'outside', 'secret.json'), JSON.stringify({ name: outsideSecret }));
    mkdirSync(join(cwd, 'wm', 'mappings'), { recursive: true });
    mkdirSync(join(cwd, 'wm', '__files'));
    writeFileSync(join(cwd, 'wm', '__files', 'a.json'), JSON.stringify({ name: 'fixture' }));
  });
  afterAll(() => dir.remove());

  const stub = (bodyFileName: string): string => JSON.stringify({ request: { method: 'GET', url: '/v1/a' }, response: { status: 200, bodyFileName } });

  it('reads a body file below __files (the control case)', async () => {
    writeFileSync(join(cwd, 'wm', 'mappings', 'a.json'), stub('a.json'));
    const result = await runCli(['check', '--fixtures', 'wm/mappings'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 verified/);
  });

  for (const [label, name] of [
    ['../../outside/secret.json', '../../outside/secret.json'],
    ['an absolute path', '<abs>'],
    ['a symbolic link in __files pointing outside', 'link.json'],
  ] as const) {
    it(`refuses ${label} with an input error naming the file, and prints nothing of it (exit 2)`, async () => {
      const { symlinkSync, rmSync } = await import('node:fs');
      rmSync(join(cwd, 'wm', '__files', 'link.json'), { force: true });
      if (name === 'link.json') symlinkSync(join(cwd, 'outside', 'secret.json'), join(cwd, 'wm', '__files', 'link.json'));
      writeFileSync(join(cwd, 'wm', 'mappings', 'a.json'), stub(name === '<abs>' ? join(cwd, 'outside', 'secret.json') : name));
      const result = await runCli(['check', '--fixtures', 'wm/mappings'], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('wm/mappings/a.json');
      expect(result.stderr).toMatch(/outside/);
      expect(result.stdout + result.stderr).not.toContain(outsideSecret);
    });
  }
});
