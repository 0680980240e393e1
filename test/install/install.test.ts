import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** npm as the user runs it; node-gyp needs the headers of the running node where no prebuilt binary fits. */
const npmEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MOCKDRIFT_') && !name.startsWith('npm_'))),
  npm_config_nodedir: process.env['npm_config_nodedir'] ?? '/usr',
  NO_COLOR: '1',
};

let work: ReturnType<typeof tempDir>;
let project: string;
let packedFiles: string[];

beforeAll(async () => {
  work = tempDir('mockdrift-install-');
  // The tarball of `npm pack`, from the build that `npm run test:install` made.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work.path], { cwd: ROOT, env: npmEnv });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed!.files.map((file) => file.path).sort();
  project = join(work.path, 'app');
  cpSync(join(ROOT, 'test', 'install', 'empty-project'), project, { recursive: true });
  // Install scripts off: better-sqlite3 would compile SQLite from source where no prebuilt binary
  // can be fetched (minutes on a busy machine). Its binary is taken from this checkout when the
  // versions match, else built by `npm rebuild`; everything of mockdrift's own is as installed.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', join(work.path, packed!.filename)], {
    cwd: project,
    env: npmEnv,
    timeout: 300_000,
  });
  const installed = join(project, 'node_modules', 'better-sqlite3');
  const local = join(ROOT, 'node_modules', 'better-sqlite3');
  const version = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const binary = join('build', 'Release', 'better_sqlite3.node');
  if (version(installed) === version(local) && existsSync(join(local, binary))) {
    mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
    copyFileSync(join(local, binary), join(installed, binary));
  } else {
    await run('npm', ['rebuild', 'better-sqlite3'], { cwd: project, env: npmEnv, timeout: 540_000 });
  }
});

afterAll(() => work?.remove());

const mockdrift = (args: readonly string[]): Promise<{ stdout: string; stderr: string }> =>
  run(join(project, 'node_modules', '.bin', 'mockdrift'), [...args], { cwd: project, env: npmEnv });

describe('mockdrift packed and installed into an empty project', () => {
  it('packs exactly what runs: the executable, the compiled code with its types, the demo fixtures', () => {
    const outside = packedFiles.filter(
      (file) => !(file === 'bin/mockdrift' || /^dist\/.+\.(js|d\.ts)$/.test(file) || file.startsWith('fixtures/') || ['package.json', 'README.md', 'LICENSE'].includes(file)),
    );
    expect(outside).toEqual([]);
    for (const needed of ['bin/mockdrift', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/check.js', 'dist/capture/capture-worker.js', 'fixtures/payments/charges.json']) {
      expect(packedFiles).toContain(needed);
    }
  });

  it('runs its mockdrift from node_modules/.bin: --version and the demo', async () => {
    expect((await mockdrift(['--version'])).stdout.trim()).toBe(manifest.version);
    const demo = await mockdrift(['demo', '--db', 'demo.db', '--format', 'json']);
    expect(JSON.parse(demo.stdout).summary.breaking).toBeGreaterThan(0);
  });

  it("offers the library API from the package's entry point: check, formatReport, loadFixtures", async () => {
    await mockdrift(['demo', '--db', 'recordings/mockdrift.db', '--format', 'json']);
    cpSync(join(project, 'node_modules', 'mockdrift', 'fixtures'), join(project, 'fixtures'), { recursive: true });
    writeFileSync(
      join(project, 'drift.mjs'),
      [
        "import { check, formatReport, loadFixtures } from 'mockdrift';",
        'const report = await check();',
        "const interactions = await loadFixtures(['fixtures/'], { cwd: process.cwd() });",
        "console.log(JSON.stringify({ summary: report.summary, interactions: interactions.length, junit: formatReport(report, 'junit').startsWith('<?xml') }));",
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['drift.mjs'], { cwd: project, env: npmEnv });
    const result = JSON.parse(stdout) as { summary: { breaking: number; fixtures: number }; interactions: number; junit: boolean };
    expect(result.summary.breaking).toBeGreaterThan(0);
    expect(result.interactions).toBe(result.summary.fixtures);
    expect(result.junit).toBe(true);
  });
});
