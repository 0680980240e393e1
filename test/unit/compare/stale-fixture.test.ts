import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkFixtures, type Recordings } from '../../../src/compare/check-fixtures.js';
import { loadFixtureFile } from '../../../src/formats/load-fixtures.js';
import type { RecordedGroup } from '../../../src/model/recorded-group.js';
import { shapeOf } from '../../../src/model/shape.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

const CASSETTE = `---
http_interactions:
- request:
    method: get
    uri: https://api.example.com/v1/users/1
    body:
      encoding: UTF-8
      string: ''
    headers: {}
  response:
    status:
      code: 200
      message: OK
    headers:
      Content-Type:
      - application/json
    body:
      encoding: UTF-8
      string: '{"id":1,"name":"Ada"}'
  recorded_at: RECORDED
recorded_with: VCR 6.2.0
`;

function reality(): Recordings {
  const body = { id: 7, name: 'Grace' };
  const group: RecordedGroup = {
    service: 'default',
    method: 'GET',
    route: '/v1/users/:id',
    status: 200,
    queryNames: [],
    contentType: 'application/json',
    count: 3,
    firstSeen: NOW - DAY,
    lastSeen: NOW,
    samplePath: '/v1/users/7',
    headers: new Map([['content-type', 3]]),
    shapes: [{ shape: shapeOf(body), count: 3 }],
  };
  return { groups: [group], samples: () => [body] };
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function cassette(recordedAt: string) {
  dir = mkdtempSync(join(tmpdir(), 'mockdrift-stale-'));
  const path = join(dir, 'users.yml');
  writeFileSync(path, CASSETTE.replace('RECORDED', recordedAt));
  return loadFixtureFile(path, 'users.yml');
}

describe('the age of a cassette', () => {
  it('reports a cassette recorded longer ago than --max-age as stale, though reality still agrees', async () => {
    const interactions = await cassette('Tue, 01 Apr 2025 10:00:00 GMT');
    const report = checkFixtures(interactions, reality(), { maxAgeMs: 30 * DAY, now: NOW });
    const stale = report.findings.filter((finding) => finding.kind === 'stale-recording');
    expect(stale).toHaveLength(1);
    expect(stale[0]!.actual).toBe('2025-04-01T10:00:00.000Z');
    expect(stale[0]!.message).toContain('recorded_at');
    expect(report.findings.filter((finding) => finding.severity === 'breaking')).toEqual([]);
  });

  it('says nothing of a recent cassette, nor of any cassette without --max-age', async () => {
    const recent = await cassette('Mon, 30 Nov 2026 10:00:00 GMT');
    expect(checkFixtures(recent, reality(), { maxAgeMs: 30 * DAY, now: NOW }).findings.filter((f) => f.kind === 'stale-recording')).toEqual([]);
    rmSync(dir!, { recursive: true, force: true });
    const old = await cassette('Tue, 01 Apr 2025 10:00:00 GMT');
    expect(checkFixtures(old, reality(), { now: NOW }).findings.filter((f) => f.kind === 'stale-recording')).toEqual([]);
  });
});
