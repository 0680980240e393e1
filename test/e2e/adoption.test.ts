import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordInto, writeFixture, type FixtureSpec, type RecordingSpec } from '../corpus/harness.js';
import { BIN, runCli, type CliResult } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const CHARGE: FixtureSpec = {
  service: 'payments',
  name: 'a charge',
  method: 'GET',
  path: '/v1/charges/ch_1',
  status: 200,
  body: { id: 'ch_1', transaction_id: 'txn_1', amount: 1200 },
};

const RECORDINGS: RecordingSpec[] = [1, 2].map((index) => ({
  method: 'GET',
  path: `/v1/charges/ch_${index}`,
  status: 200,
  body: { id: `ch_${index}`, txn_id: `txn_${index}`, amount: 1000 + index },
}));

/** The config example of the README, as a user would copy it. */
function readmeConfig(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /## The config file[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no config example under "## The config file"');
  return block[1]!;
}

let project: ReturnType<typeof tempDir>;
const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { cwd: project.path, env });

async function withRecordings(): Promise<void> {
  writeFixture(project.path, 'native', CHARGE);
  mkdirSync(join(project.path, 'recordings'), { recursive: true });
  await recordInto(join(project.path, 'recordings', 'mockdrift.db'), RECORDINGS, 'payments');
}

beforeEach(() => {
  project = tempDir('mockdrift-adoption-');
});

afterEach(() => {
  project.remove();
});

describe('one config file for every command', () => {
  it("runs every command with the README's config example, with no unknown-argument error and no warning", async () => {
    await withRecordings();
    writeFileSync(join(project.path, 'mockdrift.config.json'), readmeConfig());
    const har = JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [] } });
    writeFileSync(join(project.path, 'empty.har'), har);
    const runs: Array<[string[], number[]]> = [
      [['check'], [1]],
      [['routes'], [0]],
      [['export', '--har', 'out/all.har'], [0]],
      [['prune', '--older-than', '9999d', '--dry-run'], [0]],
      [['update', '--dry-run'], [0]],
      [['import', 'empty.har', '--service', 'payments'], [0]],
      [['record', '--help'], [0]],
      [['probe', '--help'], [0]],
    ];
    for (const [args, codes] of runs) {
      const result = await cli(args);
      expect({ args, stderr: result.stderr, code: codes.includes(result.code ?? -1) }).toEqual({ args, stderr: expect.not.stringMatching(/Unknown argument|warning/), code: true });
    }
  }, 120_000);

  it('takes MOCKDRIFT_* variables meant for other commands without complaint (MOCKDRIFT_TARGET with routes)', async () => {
    await withRecordings();
    const result = await cli(['routes'], { MOCKDRIFT_TARGET: 'http://127.0.0.1:9', MOCKDRIFT_TIMEOUT: '5s' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('/v1/charges/');
  });

  it('warns once about a key no command takes, naming the file or the variable and the key, and goes on', async () => {
    await withRecordings();
    writeFileSync(join(project.path, 'mockdrift.config.json'), JSON.stringify({ timeout: '5s', tiemout: '5s' }));
    const result = await cli(['routes'], { MOCKDRIFT_COLOUR: 'yes' });
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning'));
    expect(warnings).toEqual([
      'warning mockdrift.config.json: no mockdrift command takes "tiemout" (--tiemout); ignored',
      'warning the environment variable MOCKDRIFT_COLOUR: no mockdrift command takes "colour" (--colour); ignored',
    ]);
  });

  it('names package.json when the unknown key is in its "mockdrift" key', async () => {
    await withRecordings();
    writeFileSync(join(project.path, 'package.json'), JSON.stringify({ name: 'app', mockdrift: { target: 'http://127.0.0.1:9', bogus: 1 } }));
    const result = await cli(['routes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning package.json "mockdrift": no mockdrift command takes "bogus"');
    expect(result.stderr).not.toContain('target');
  });

  it('keeps flags typed on the command line strict: routes --timeout 5s is a usage error', async () => {
    await withRecordings();
    const result = await cli(['routes', '--timeout', '5s']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown argument: timeout');
  });

  it('applies a config key to the command that takes it: check reads "fail-on" and "db" from the config', async () => {
    writeFixture(project.path, 'native', CHARGE);
    mkdirSync(join(project.path, 'store'));
    await recordInto(join(project.path, 'store', 'x.db'), RECORDINGS, 'payments');
    writeFileSync(join(project.path, 'mockdrift.config.json'), JSON.stringify({ db: 'store/x.db', 'fail-on': 'never', target: 'http://127.0.0.1:9' }));
    const result = await cli(['check']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('field-renamed');
  });
});

describe('probe reads its target from the config service', () => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'ch_1', txn_id: 'txn_1', amount: 1 }));
    });
  });
  afterEach(() => upstream.close());

  it('probe --service payments replays against services.payments.target and checks', async () => {
    writeFixture(project.path, 'native', CHARGE);
    writeFileSync(join(project.path, 'mockdrift.config.json'), JSON.stringify({ services: { payments: { target: upstream.url } } }));
    const result = await cli(['probe', '--service', 'payments', '--check', '--format', 'json']);
    expect(upstream.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['GET /v1/charges/ch_1']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).summary.verified).toBe(1);
  });

  it('says how to give the target when neither --target nor a config service has it', async () => {
    writeFixture(project.path, 'native', CHARGE);
    writeFileSync(join(project.path, 'mockdrift.config.json'), JSON.stringify({ services: { payments: { target: upstream.url } } }));
    const result = await cli(['probe', '--service', 'billing']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('probe needs --target: the config has no service "billing" (it has payments)');
    expect(upstream.requests).toEqual([]);
  });
});

describe('update writes every planned file or none', () => {
  async function threeDrifted(): Promise<void> {
    await withRecordings();
    for (const name of ['b charge', 'c charge']) writeFixture(project.path, 'native', { ...CHARGE, name });
  }

  it('refuses before writing anything, naming every refused file, when some fixtures are links', async () => {
    await threeDrifted();
    const outside = tempDir('mockdrift-outside-');
    try {
      writeFixture(outside.path, 'native', { ...CHARGE, name: 'outside charge' });
      symlinkSync(join(outside.path, 'fixtures', 'outside-charge.json'), join(project.path, 'fixtures', 'd-link.json'));
      symlinkSync(join(project.path, 'fixtures', 'c-charge.json'), join(project.path, 'fixtures', 'e-link.json'));
      const before = readdirSync(join(project.path, 'fixtures')).map((file) => readFileSync(join(project.path, 'fixtures', file), 'utf8'));
      const result = await cli(['update']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('update wrote nothing: 2 of 5 fixture file(s) may not be written');
      expect(result.stderr).toMatch(/Refusing to write .*d-link\.json: it is a symbolic link/);
      expect(result.stderr).toMatch(/Refusing to write .*e-link\.json: it is a symbolic link/);
      const after = readdirSync(join(project.path, 'fixtures')).map((file) => readFileSync(join(project.path, 'fixtures', file), 'utf8'));
      expect(after).toEqual(before);
      expect(readFileSync(join(outside.path, 'fixtures', 'outside-charge.json'), 'utf8')).toContain('transaction_id');
    } finally {
      outside.remove();
    }
  });

  it('writes all of them and prints the diff of each when it may', async () => {
    await threeDrifted();
    const result = await cli(['update']);
    expect(result.code).toBe(0);
    for (const file of ['a-charge.json', 'b-charge.json', 'c-charge.json']) {
      expect(result.stdout).toContain(`+++ b/fixtures/${file}`);
      expect(readFileSync(join(project.path, 'fixtures', file), 'utf8')).toContain('"txn_id"');
    }
    expect(result.stderr).toContain('updated 3 fixture file(s)');
  });
});

describe('missing and read-only stores', () => {
  it.each([
    [['routes']],
    [['export', '--har', 'x.har']],
    [['prune', '--older-than', '30d']],
  ])('%j on a missing store names the path and the next step, and creates nothing', async (args) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No recordings store at recordings/mockdrift.db');
    expect(result.stderr).toContain('Record some traffic first (mockdrift record --target URL');
    expect(result.stderr).not.toMatch(/SQLITE_|CANTOPEN/);
    expect(existsSync(join(project.path, 'recordings'))).toBe(false);
  });

  it.each([[['check']], [['update']]])('%j on a missing store exits 3, naming the store', async (args) => {
    writeFixture(project.path, 'native', CHARGE);
    const result = await cli(args);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('recordings/mockdrift.db does not exist. Record first');
    expect(existsSync(join(project.path, 'recordings'))).toBe(false);
  });

  it('probe --check exits 3 when nothing could be recorded into the missing store', async () => {
    writeFixture(project.path, 'native', { ...CHARGE, method: 'POST', path: '/v1/charges' });
    const result = await cli(['probe', '--target', 'http://127.0.0.1:9', '--check']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No recordings in recordings\/mockdrift\.db.*Record first/);
  });

  // As root, permissions do not bind, so the read-only case runs the CLI as nobody: that needs a
  // checkout nobody can read (a clone below a private folder is not one; there the case is skipped).
  const asRootWithoutNobody = process.getuid?.() === 0 && spawnSync(process.execPath, [BIN, '--version'], { uid: 65534, gid: 65534 }).status !== 0;
  it.skipIf(asRootWithoutNobody)('check and routes read a store in a read-only directory', async () => {
    await withRecordings();
    const recordings = join(project.path, 'recordings');
    const asRoot = process.getuid?.() === 0;
    // As root, permissions do not bind: run the CLI as nobody over files nobody owns.
    if (asRoot) {
      chmodSync(project.path, 0o755);
      for (const file of readdirSync(recordings)) chownSync(join(recordings, file), 65534, 65534);
      chownSync(recordings, 65534, 65534);
    }
    chmodSync(recordings, 0o555);
    try {
      const routes = await runAs(['routes'], asRoot);
      expect(routes.stderr).toBe('');
      expect(routes.code).toBe(0);
      expect(routes.stdout).toContain('/v1/charges/');
      const check = await runAs(['check', '--format', 'json'], asRoot);
      expect(check.stderr).not.toMatch(/SQLITE_|error/);
      expect(check.code).toBe(1);
      expect(readdirSync(recordings)).toEqual(['mockdrift.db']);
    } finally {
      chmodSync(recordings, 0o755);
    }
  });
});

/** Runs the CLI in the project, as nobody when `asNobody`. */
function runAs(args: readonly string[], asNobody: boolean): Promise<CliResult> {
  if (!asNobody) return cli(args);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: project.path,
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', HOME: '/tmp' },
    uid: 65534,
    gid: 65534,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

describe('output and messages', () => {
  it('check --output creates the folder of the report', async () => {
    await withRecordings();
    const result = await cli(['check', '--format', 'json', '--output', 'reports/deep/x.json', '--report', 'html=other/r.html']);
    expect(result.code).toBe(1);
    expect(JSON.parse(readFileSync(join(project.path, 'reports', 'deep', 'x.json'), 'utf8')).summary.fixtures).toBe(1);
    expect(existsSync(join(project.path, 'other', 'r.html'))).toBe(true);
    expect(result.stderr).toContain('1 fixture interaction (1 verified, 0 unverified)');
  });

  it('importing the same HAR twice stores its exchanges once', async () => {
    const entry = (id: string): object => ({
      startedDateTime: '2026-11-21T10:00:00.000Z',
      time: 5,
      request: { method: 'GET', url: `https://sandbox.example/v1/charges/${id}`, httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
      response: {
        status: 200,
        statusText: 'OK',
        httpVersion: 'HTTP/1.1',
        headers: [{ name: 'content-type', value: 'application/json' }],
        cookies: [],
        content: { size: 10, mimeType: 'application/json', text: JSON.stringify({ id }) },
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
      },
      cache: {},
      timings: { send: 0, wait: 5, receive: 0 },
    });
    writeFileSync(join(project.path, 'x.har'), JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [entry('ch_1'), entry('ch_2')] } }));
    const first = await cli(['import', 'x.har', '--service', 'payments']);
    expect(first.stdout).toContain('imported 2 exchanges');
    const second = await cli(['import', 'x.har', '--service', 'payments']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('imported 0 exchanges from x.har into recordings/mockdrift.db (0 failed requests; 2 already in the store, not imported again)');
    const routes = await cli(['routes', '--format', 'json']);
    expect(JSON.parse(routes.stdout).reduce((total: number, route: { count: number }) => total + route.count, 0)).toBe(2);
    const asOther = await cli(['import', 'x.har', '--service', 'billing']);
    expect(asOther.stdout).toContain('imported 2 exchanges');
  });

  it('prune --older-than -5d says a duration cannot start with "-"', async () => {
    await withRecordings();
    const result = await cli(['prune', '--older-than', '-5d']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('""');
    expect(result.stderr).toContain('--older-than needs a duration');
    const explicit = await cli(['prune', '--older-than=-5d']);
    expect(explicit.stderr).toContain('--older-than "-5d" is not a duration: durations cannot be negative; use e.g. 5d');
  });

  it('--verbose prints the stack of an unexpected error; without it, says that it would', async () => {
    await withRecordings();
    // A failing stdout stands for a bug: an error that is no MockdriftError.
    const NODE_OPTIONS = "--import=data:text/javascript,process.stdout.write=()=>{throw(TypeError('stdout-broke'))}";
    const verbose = await cli(['routes', '--verbose'], { NODE_OPTIONS });
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toContain('error mockdrift stopped on an unexpected error: stdout-broke');
    expect(verbose.stderr).toMatch(/debug TypeError: stdout-broke\n\s+at /);
    const plain = await cli(['routes'], { NODE_OPTIONS });
    expect(plain.stderr).toContain('stdout-broke (--verbose prints where)');
    expect(plain.stderr).not.toContain('    at ');
  });

  it('FORCE_COLOR colours the report without a terminal; FORCE_COLOR=0 does not', async () => {
    await withRecordings();
    const forced = await cli(['check'], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\u001b[');
    const off = await cli(['check'], { FORCE_COLOR: '0' });
    expect(off.stdout).not.toContain('\u001b[');
  });

  it('demo --db keeps the demo recordings in that store; without it, the working directory is left alone', async () => {
    const kept = await cli(['demo', '--db', 'kept/demo.db', '--format', 'json'], {});
    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain('the demo recordings are kept in kept/demo.db');
    const routes = await cli(['routes', '--db', 'kept/demo.db', '--format', 'json']);
    expect(JSON.parse(routes.stdout).length).toBeGreaterThan(0);
    writeFileSync(join(project.path, 'mockdrift.config.json'), JSON.stringify({ db: 'project.db' }));
    const plain = await cli(['demo', '--format', 'json']);
    expect(plain.code).toBe(0);
    expect(readdirSync(project.path).sort()).toEqual(['kept', 'mockdrift.config.json']);
  }, 60_000);
});
