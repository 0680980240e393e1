import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordInto, writeFixture, type FixtureSpec, type RecordingSpec } from '../corpus/harness.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CHARGE: FixtureSpec = {
  service: 'payments',
  name: 'a charge',
  method: 'GET',
  path: '/v1/charges/ch_1',
  status: 200,
  body: { id: 'ch_1', transaction_id: 'txn_1', amount: 1200 },
};

const recording = (body: object): RecordingSpec => ({ method: 'GET', path: '/v1/charges/ch_1', status: 200, body });

let project: ReturnType<typeof tempDir>;

/**
 * A project with examples/vitest/mock-drift.test.ts copied into its tests, mockdrift and vitest
 * linked into its node_modules as an install would put them.
 */
beforeEach(() => {
  project = tempDir('mockdrift-vitest-example-');
  mkdirSync(join(project.path, 'node_modules'));
  symlinkSync(ROOT, join(project.path, 'node_modules', 'mockdrift'));
  symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(project.path, 'node_modules', 'vitest'));
  mkdirSync(join(project.path, 'test'));
  copyFileSync(join(ROOT, 'examples', 'vitest', 'mock-drift.test.ts'), join(project.path, 'test', 'mock-drift.test.ts'));
  writeFixture(project.path, 'native', CHARGE);
  mkdirSync(join(project.path, 'recordings'));
});

afterEach(() => project.remove());

function vitest(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter', 'verbose'],
      { cwd: project.path, env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', CI: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('the vitest example (examples/vitest)', () => {
  it('fails the test with the drift report when the mocks drifted in a breaking way', async () => {
    await recordInto(join(project.path, 'recordings', 'mockdrift.db'), [recording({ id: 'ch_2', txn_id: 'txn_2', amount: 9 })], 'payments');
    const result = await vitest();
    expect(result.code).toBe(1);
    expect(result.output).toContain('answer as the sandbox does (no breaking drift)');
    expect(result.output).toMatch(/field-renamed\s+\$\.transaction_id → \$\.txn_id/);
    expect(result.output).toMatch(/AssertionError: fixtures\/a-charge\.json[\s\S]*expected 1 to be \+?0/);
  });

  it('passes when the mocks answer as the sandbox does', async () => {
    await recordInto(join(project.path, 'recordings', 'mockdrift.db'), [recording({ id: 'ch_2', transaction_id: 'txn_2', amount: 9 })], 'payments');
    const result = await vitest();
    expect(result.output).toContain('1 passed');
    expect(result.code).toBe(0);
  });
});
