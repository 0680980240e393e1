import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check.js';
import { runUpdate } from '../../src/update/run-update.js';
import { FixtureDocument } from '../../src/formats/fixture-document.js';
import { findingLines, recordInto, RENDERERS, type RecordingSpec } from '../corpus/harness.js';
import { tempDir } from '../support/temp-dir.js';

/** What the fixture says: a user, in a body written as a string holding JSON. */
const BODY = { id: 'usr_1', full_name: 'Ada Lovelace', age: 36, legacy: true, address: { city: 'London' } };

/** What the sandbox says now: `full_name` renamed, `age` a string, `legacy` gone, a field added, 200 → 201. */
function reality(index: number): RecordingSpec {
  return {
    method: 'GET',
    path: '/v1/users/usr_1',
    status: 201,
    body: { id: `usr_${index}`, name: `User ${index}`, age: `${30 + index}`, address: { city: 'Paris' }, plan: 'pro' },
  };
}
const RECORDINGS = [1, 2, 3].map(reality);

const compact = JSON.stringify(BODY);
const pretty = JSON.stringify(BODY, null, 4);
const quoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const indented = (text: string, pad: string): string => text.replaceAll('\n', `\n${pad}`);

/** One fixture per format, written as its recorder writes it; comments where the syntax has them. */
const FIXTURES: Record<string, { file: string; text: string; pretty: boolean }> = {
  har: { file: 'fixtures/user.har', text: RENDERERS.har!({ name: 'get a user', method: 'GET', path: '/v1/users/usr_1', status: 200, body: BODY }).text, pretty: false },
  nock: { file: 'fixtures/user.nock.json', text: RENDERERS.nock!({ name: 'get a user', method: 'GET', path: '/v1/users/usr_1', status: 200, body: compact }).text, pretty: false },
  vcr: {
    file: 'fixtures/user.yml',
    pretty: false,
    text: `---
# Recorded against the sandbox; re-record with RECORD=all.
http_interactions:
- request:
    method: get
    uri: https://api.example.test/v1/users/usr_1
    body:
      encoding: US-ASCII
      string: ''
    headers:
      Accept:
      - application/json
  response:
    status:
      code: 200
      message: OK
    headers:
      Content-Type:
      - application/json; charset=utf-8
    body:
      encoding: UTF-8
      string: ${quoted(compact)}
  recorded_at: Tue, 28 Feb 2023 21:02:39 GMT
recorded_with: VCR 6.1.0
`,
  },
  vcrpy: {
    file: 'fixtures/user.yaml',
    pretty: true,
    text: `interactions:
- request:
    body: null
    headers:
      Accept:
      - '*/*'
    method: GET
    uri: https://api.example.test/v1/users/usr_1
  response:
    body:
      string: |-
        ${indented(pretty, '        ')}
    headers:
      Content-Type:
      - application/json
    status:
      code: 200
      message: OK
version: 1
`,
  },
  responses: {
    file: 'fixtures/users-responses.yaml',
    pretty: false,
    text: `responses:
- response:
    auto_calculate_content_length: false
    body: ${quoted(compact)}
    content_type: application/json
    headers:
      X-Request-Id: req_1
    method: GET
    status: 200
    url: https://api.example.test/v1/users/usr_1
`,
  },
  postman: {
    file: 'fixtures/users.postman_collection.json',
    pretty: true,
    text: `${JSON.stringify(
      {
        info: { _postman_id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Users', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' },
        item: [
          {
            name: 'Users',
            item: [
              {
                name: 'Get a user',
                request: { method: 'GET', url: { raw: '{{baseUrl}}/v1/users/:id', host: ['{{baseUrl}}'], path: ['v1', 'users', ':id'] } },
                response: [
                  {
                    name: 'OK',
                    originalRequest: { method: 'GET', url: { raw: '{{baseUrl}}/v1/users/usr_1', host: ['{{baseUrl}}'], path: ['v1', 'users', 'usr_1'] } },
                    status: 'OK',
                    code: 200,
                    _postman_previewlanguage: 'json',
                    header: [{ key: 'Content-Type', value: 'application/json' }],
                    body: pretty,
                  },
                ],
              },
            ],
          },
        ],
        variable: [{ key: 'baseUrl', value: 'https://api.example.test' }],
      },
      null,
      '\t',
    )}\n`,
  },
};

describe.each(Object.keys(FIXTURES))('update of a %s fixture', (format) => {
  it('rewrites the drift inside the body string, keeping the file and the string form; check then finds no breaking drift and a second update changes nothing', async () => {
    const fixture = FIXTURES[format]!;
    const dir = tempDir('mockdrift-update-format-');
    try {
      mkdirSync(join(dir.path, 'fixtures'));
      const path = join(dir.path, fixture.file);
      writeFileSync(path, fixture.text);
      await recordInto(join(dir.path, 'recordings.db'), RECORDINGS);
      const check = (): ReturnType<typeof runCheck> => runCheck({ cwd: dir.path, db: 'recordings.db', config: {}, fixtures: ['fixtures/'] });
      const update = (dryRun: boolean): ReturnType<typeof runUpdate> => runUpdate({ cwd: dir.path, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], dryRun });

      const before = await check();
      expect(before.summary.verified).toBe(1);
      expect(findingLines(before, ['breaking']).length).toBeGreaterThanOrEqual(3);

      const dry = await update(true);
      expect(readFileSync(path, 'utf8')).toBe(fixture.text);
      expect(dry.files.map((file) => file.file)).toEqual([fixture.file]);

      const result = await update(false);
      expect(result.files[0]?.diff).toBe(dry.files[0]?.diff);
      expect(findingLines(await check(), ['breaking'])).toEqual([]);

      const text = readFileSync(path, 'utf8');
      // Only the body and the status changed: the rest of the file is as it was, comments and all.
      const unchangedLines = fixture.text.split('\n').filter((line) => !/full_name|"age"|legacy|200|usr_1"|OK/.test(line) && line.trim() !== '');
      for (const line of unchangedLines.slice(0, 12)) if (!line.includes('string') && !line.includes('body')) expect(text, line).toContain(line);
      if (fixture.text.includes('# Recorded')) expect(text).toContain('# Recorded against the sandbox; re-record with RECORD=all.');

      // The JSON inside the string: renamed in place, retyped from a recording, the removed field gone, its own form kept.
      const inner = bodyString(fixture.file, text, format);
      const parsed = JSON.parse(inner) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual(['id', 'name', 'age', 'address']);
      expect(parsed['name']).toBe('Ada Lovelace');
      expect(typeof parsed['age']).toBe('string');
      expect(parsed['id']).toBe('usr_1');
      expect(inner.includes('\n')).toBe(fixture.pretty);

      const again = await update(false);
      expect(again.files).toEqual([]);
      expect(readFileSync(path, 'utf8')).toBe(text);
    } finally {
      dir.remove();
    }
  });
});

/** The response body string of the one interaction in the file. */
function bodyString(file: string, text: string, format: string): string {
  const value = FixtureDocument.parse(file, text).value as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (format) {
    case 'har':
      return value['log'].entries[0].response.content.text as string;
    case 'nock':
      return value[0].response as string;
    case 'vcr':
      return value['http_interactions'][0].response.body.string as string;
    case 'vcrpy':
      return value['interactions'][0].response.body.string as string;
    case 'responses':
      return value['responses'][0].response.body as string;
    default:
      return value['item'][0].item[0].response[0].body as string;
  }
}
