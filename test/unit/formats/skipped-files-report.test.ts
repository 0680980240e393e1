import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/check.js';
import { REPORT_FORMATS, REPORT_FORMATTERS } from '../../../src/report/formatters.js';
import { recordInto } from '../../corpus/harness.js';
import { tempDir } from '../../support/temp-dir.js';

describe('files skipped while scanning for fixtures', () => {
  it('are listed in every report format, and the run still checks the rest', async () => {
    const dir = tempDir('mockdrift-skipped-');
    try {
      mkdirSync(join(dir.path, 'fixtures'));
      writeFileSync(join(dir.path, 'fixtures', 'users.yml'), 'ada:\n  name: Ada\n');
      writeFileSync(join(dir.path, 'fixtures', 'proxy.json'), '{ "request": { "urlPattern": "/proxy/.*" }, "response": { "proxyBaseUrl": "http://127.0.0.1:1" } }');
      writeFileSync(
        join(dir.path, 'fixtures', 'ping.yml'),
        'http_interactions:\n- request:\n    method: get\n    uri: http://x.test/ping\n  response:\n    status:\n      code: 200\n    headers:\n      Content-Type:\n      - application/json\n    body:\n      string: \'{"ok":true}\'\nrecorded_with: VCR 6\n',
      );
      await recordInto(join(dir.path, 'recordings.db'), [{ method: 'GET', path: '/ping', status: 200, body: { ok: true } }]);
      const report = await runCheck({ cwd: dir.path, db: 'recordings.db', config: {}, fixtures: ['fixtures/'] });
      expect(report.summary.verified).toBe(1);
      expect(report.skippedFiles?.map((skipped) => skipped.file)).toEqual(['fixtures/proxy.json', 'fixtures/users.yml']);
      for (const format of REPORT_FORMATS) {
        const text = REPORT_FORMATTERS[format]!.render(report);
        expect(text, format).toContain('fixtures/users.yml');
        expect(text, format).toContain('fixtures/proxy.json');
      }
    } finally {
      dir.remove();
    }
  });
});
