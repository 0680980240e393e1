import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/model/finding.js';
import type { FixtureFormat } from '../../src/model/fixture.js';
import { checkCase, findingLines, FORMATS, type FixtureSpec, type RecordingSpec } from './harness.js';

/** Formats whose response headers are written on purpose; the others are recorders. */
const DECLARED: readonly FixtureFormat[] = ['native', 'pact', 'wiremock'];

const CHARGE = { id: 'ch_3MtwBwLkdIwHu7ix', object: 'charge', amount: 1200, currency: 'eur', status: 'succeeded' };
const CHARGE_FIXTURE: FixtureSpec = { service: 'payments', name: 'a charge by id', method: 'GET', path: '/v1/charges/ch_3MtwBwLkdIwHu7ix', status: 200, body: CHARGE };
const CHARGE_IDS = ['ch_1NqkZ2LkdIwHu7ix', 'ch_9XyzW3AbCdEf12gh', 'ch_2LmNoPqRsTuVwXy4'];

function only(report: Report, kind: Finding['kind']): Finding[] {
  return report.findings.filter((finding) => finding.kind === kind);
}

describe.each(FORMATS)('no false green (%s fixtures)', (format) => {
  it('a success fixture whose route answers only 401 is status-changed, naming the statuses and the refused credentials', async () => {
    const recordings: RecordingSpec[] = CHARGE_IDS.map((id) => ({ method: 'GET', path: `/v1/charges/${id}`, status: 401, body: { error: 'token expired' } }));
    const report = await checkCase(format, CHARGE_FIXTURE, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual(['breaking status-changed -']);
    const [finding] = only(report, 'status-changed');
    expect(finding).toMatchObject({ expected: 200, actual: 401, evidence: { recordings: 3, matching: 0 } });
    expect(finding!.message).toContain('401 (3)');
    expect(finding!.message).toContain('refused the credentials');
    expect(finding!.fix).toMatch(/sandbox refused the credentials/);
    expect(report.summary.breaking).toBe(1);
  });

  it('a success fixture whose route answers only 503 (and a 403) is status-changed with every status seen', async () => {
    const recordings: RecordingSpec[] = [
      ...CHARGE_IDS.map((id) => ({ method: 'GET', path: `/v1/charges/${id}`, status: 503, body: '<html>down</html>', contentType: 'text/html' })),
      { method: 'GET', path: '/v1/charges/ch_3MtwBwLkdIwHu7ix', status: 403, body: { error: 'forbidden' } },
    ];
    const report = await checkCase(format, CHARGE_FIXTURE, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual(['breaking status-changed -']);
    const [finding] = only(report, 'status-changed');
    // The fixture's very request got 403; the route as a whole only errors.
    expect(finding!.actual).toBe(403);
    expect(finding!.message).toMatch(/403/);
  });

  it('an error fixture is still not compared with successes of other requests (404 for one id, 200 for another)', async () => {
    const report = await checkCase(
      format,
      { ...CHARGE_FIXTURE, name: 'a missing charge', path: '/v1/charges/ch_0000missing0000', status: 404, body: { error: { type: 'invalid_request_error' } } },
      CHARGE_IDS.map((id) => ({ method: 'GET', path: `/v1/charges/${id}`, status: 200, body: { ...CHARGE, id } })),
    );
    expect(findingLines(report, ['breaking', 'warning', 'info'])).toEqual(['info unverified -']);
  });

  it('the exact request of a fixture answered 205 where the fixture says 400 is status-changed, whatever the class', async () => {
    const fixture: FixtureSpec = {
      service: 'payments',
      name: 'a refund too large',
      method: 'POST',
      path: '/v1/refunds',
      requestBody: { charge: 'ch_3MtwBwLkdIwHu7ix', amount: 99999999 },
      status: 400,
      body: { error: { type: 'invalid_request_error', message: 'Refund amount too large' } },
    };
    const recordings: RecordingSpec[] = [
      { method: 'POST', path: '/v1/refunds', requestBody: { charge: 'ch_3MtwBwLkdIwHu7ix', amount: 99999999 }, status: 205, body: '', contentType: null },
      { method: 'POST', path: '/v1/refunds', requestBody: { charge: 'ch_1NqkZ2LkdIwHu7ix', amount: 100 }, status: 201, body: { id: 're_1', object: 'refund', amount: 100 } },
    ];
    const report = await checkCase(format, fixture, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual(['breaking status-changed -']);
    expect(only(report, 'status-changed')[0]).toMatchObject({ expected: 400, actual: 205 });
    expect(only(report, 'status-changed')[0]!.message).toContain('its very request');

    const created = await checkCase(format, fixture, [{ ...recordings[0]!, status: 201, body: { id: 're_2', object: 'refund' }, contentType: 'application/json' }]);
    expect(only(created, 'status-changed')[0]).toMatchObject({ expected: 400, actual: 201 });
  });

  describe.each([
    ['stored truncated past --max-body', { body: { data: Array.from({ length: 50 }, (_, i) => ({ n: i, label: `item ${i}` })) } }, /truncated past --max-body/],
    ['whose content-encoding does not decode', { body: '', raw: new Uint8Array(Buffer.from('\u001f\u008b not gzip at all: {"id": 1}', 'latin1')), headers: { 'content-encoding': 'gzip' } }, /did not decode/],
    ['that is broken JSON under application/json', { body: '{"data": [{"n": 1, "label": ' }, /not valid JSON/],
  ] as const)('a recording %s', (_name, recording, reason) => {
    it('never counts as agreement, even with a fixture of a completely different shape', async () => {
      const recordings: RecordingSpec[] = CHARGE_IDS.map((id) => ({ method: 'GET', path: `/v1/charges/${id}`, status: 200, ...recording }));
      const report = await checkCase(format, CHARGE_FIXTURE, recordings, { maxBodyBytes: 256 });
      expect(report.summary).toMatchObject({ verified: 0, unverified: 1 });
      const [finding] = only(report, 'unverified');
      expect(finding!.message).toMatch(reason);
      expect(finding!.evidence).toMatchObject({ recordings: 3, matching: 0 });
    });
  });

  it('readable recordings are still compared when some others could not be read', async () => {
    const recordings: RecordingSpec[] = [
      { method: 'GET', path: `/v1/charges/${CHARGE_IDS[0]}`, status: 200, body: '{"id": ' },
      { method: 'GET', path: `/v1/charges/${CHARGE_IDS[1]}`, status: 200, body: { ...CHARGE, id: CHARGE_IDS[1], amount: '12.00' } },
    ];
    const report = await checkCase(format, CHARGE_FIXTURE, recordings);
    expect(report.summary.verified).toBe(1);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual(['breaking type-changed $.amount']);
    expect(only(report, 'type-changed')[0]!.evidence.recordings).toBe(1);
  });
});

const RECORDER_HEADERS = {
  'X-Powered-By': 'Express',
  Server: 'GitHub.com',
  Status: '200 OK',
  'X-GitHub-Request-Id': 'C0DE:1234:5678',
  'X-RateLimit-Limit': '5000',
  'X-RateLimit-Remaining': '4999',
  ETag: 'W/"abc"',
};

describe.each(FORMATS)('no noise (%s fixtures)', (format) => {
  const recorded = !DECLARED.includes(format);

  it(`headers the sandbox stopped sending are ${recorded ? 'at most info (captured by a recorder)' : 'warnings (declared on purpose)'}; location always matters`, async () => {
    const fixture: FixtureSpec = { ...CHARGE_FIXTURE, headers: { ...RECORDER_HEADERS, Location: '/v1/charges/ch_3MtwBwLkdIwHu7ix' } };
    const recordings: RecordingSpec[] = CHARGE_IDS.map((id) => ({ method: 'GET', path: `/v1/charges/${id}`, status: 200, body: { ...CHARGE, id } }));
    const report = await checkCase(format, fixture, recordings);
    const declaredOnes = ['x-github-request-id', 'x-powered-by', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'status'];
    const expected = ['warning header-missing headers.location', ...(recorded ? [] : declaredOnes.map((name) => `warning header-missing headers.${name}`))];
    expect(findingLines(report, ['breaking', 'warning'])).toEqual(expected.sort());
    if (recorded) expect(findingLines(report, ['info']).filter((line) => line.includes('header-missing'))).toHaveLength(declaredOnes.length);
  });

  it('a header named in the config matters even when a recorder captured it', async () => {
    const fixture: FixtureSpec = { ...CHARGE_FIXTURE, headers: { 'X-RateLimit-Limit': '5000' } };
    const recordings: RecordingSpec[] = CHARGE_IDS.map((id) => ({ method: 'GET', path: `/v1/charges/${id}`, status: 200, body: { ...CHARGE, id } }));
    const report = await checkCase(format, fixture, recordings, { config: { headers: ['x-ratelimit-limit'] } });
    expect(findingLines(report, ['breaking', 'warning'])).toEqual(['warning header-missing headers.x-ratelimit-limit']);
  });

  it.each([204, 205, 304])('a %i without a body is never content-type-changed, whatever the content types', async (status) => {
    const fixture: FixtureSpec = { service: 'payments', name: `no content ${status}`, method: 'DELETE', path: '/v1/customers/cus_NffrFeUfNV2Hib', status, body: undefined };
    const recordings: RecordingSpec[] = [
      { method: 'DELETE', path: '/v1/customers/cus_NffrFeUfNV2Hib', status, body: '', contentType: null },
      { method: 'DELETE', path: '/v1/customers/cus_AbcdEfGh12345678', status, body: '', contentType: 'text/html' },
    ];
    const report = await checkCase(format, fixture, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([]);
  });

  it('an empty body with another content type is no content-type drift for a fixture without a body', async () => {
    const fixture: FixtureSpec = { service: 'payments', name: 'accepted', method: 'POST', path: '/v1/payouts/po_1NqkZ2LkdIwHu7ix/cancel', status: 202, body: undefined };
    const recordings: RecordingSpec[] = [{ method: 'POST', path: '/v1/payouts/po_1NqkZ2LkdIwHu7ix/cancel', status: 202, body: '', contentType: 'text/plain' }];
    const report = await checkCase(format, fixture, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([]);
  });

  it('fixtures with different request bodies are compared with recordings of their own request, not the merged route', async () => {
    const path = '/repos/octokit/rest.js/branches/main/protection';
    const nulls = { required_status_checks: null, enforce_admins: false, required_pull_request_reviews: null, restrictions: null };
    const values = { required_status_checks: { strict: true, contexts: ['ci'] }, enforce_admins: true, required_pull_request_reviews: { dismiss_stale_reviews: true }, restrictions: null };
    const nullAnswer = { url: `https://api.example.test${path}`, enforce_admins: { enabled: false } };
    const valueAnswer = {
      url: `https://api.example.test${path}`,
      enforce_admins: { enabled: true },
      required_status_checks: { strict: true, contexts: ['ci'] },
      required_pull_request_reviews: { dismiss_stale_reviews: true, required_approving_review_count: 1 },
    };
    const recordings: RecordingSpec[] = [0, 1, 2].flatMap(() => [
      { method: 'PUT', path, requestBody: nulls, status: 200, body: nullAnswer },
      { method: 'PUT', path, requestBody: values, status: 200, body: valueAnswer },
    ]);
    const fixtureOf = (name: string, requestBody: unknown, body: unknown): FixtureSpec => ({ name, method: 'PUT', path, requestBody, status: 200, body });
    for (const fixture of [fixtureOf('protect nothing', nulls, nullAnswer), fixtureOf('protect everything', values, valueAnswer)]) {
      const report = await checkCase(format, fixture, recordings, { config: { routes: ['/repos/:owner/:repo/branches/:branch/protection'] } });
      expect(findingLines(report, ['breaking', 'warning']), fixture.name).toEqual([]);
      expect(report.summary.verified).toBe(1);
    }
  });
});

describe.each(FORMATS)('query values pick the recordings of their own request (%s fixtures)', (format) => {
  it('open issues and closed issues are each compared with their own answers, not the merged route', async () => {
    const open = { number: 7, state: 'open', title: 'Crash', closed_at: null };
    const closed = { number: 3, state: 'closed', title: 'Typo', closed_at: '2026-04-17T10:00:00Z', closed_by: { login: 'ada' } };
    const recordings: RecordingSpec[] = [0, 1].flatMap(() => [
      { method: 'GET', path: '/repos/octokit/rest.js/issues?state=open', status: 200, body: { items: [open] } },
      { method: 'GET', path: '/repos/octokit/rest.js/issues?state=closed', status: 200, body: { items: [closed] } },
    ]);
    const fixtureOf = (state: string, item: unknown): FixtureSpec => ({
      name: `${state} issues`,
      method: 'GET',
      path: '/repos/octokit/rest.js/issues',
      query: { state },
      status: 200,
      body: { items: [item] },
    });
    for (const fixture of [fixtureOf('open', open), fixtureOf('closed', closed)]) {
      const report = await checkCase(format, fixture, recordings);
      expect(findingLines(report, ['breaking', 'warning']), fixture.name).toEqual([]);
    }
  });
});

describe.each(FORMATS)('moves and value-evidenced renames (%s fixtures)', (format) => {
  it('a field under another parent with the same name and value is field-moved, with to', async () => {
    const fixture: FixtureSpec = {
      service: 'billing',
      name: 'an invoice',
      method: 'GET',
      path: '/v1/invoices/in_1NqkZ2LkdIwHu7ix',
      status: 200,
      body: { id: 'in_1NqkZ2LkdIwHu7ix', email: 'ada@example.com', amount_due: 1200, paid_at: '2026-04-17T10:00:00Z' },
    };
    const recordings: RecordingSpec[] = [0, 1, 2].map((i) => ({
      method: 'GET',
      path: '/v1/invoices/in_1NqkZ2LkdIwHu7ix',
      status: 200,
      body: { id: 'in_1NqkZ2LkdIwHu7ix', contact: { email: 'ada@example.com', phone: null }, amount_due: 1200 + i, timestamps: { paid_at: '2026-04-17T10:00:00Z' } },
    }));
    const report = await checkCase(format, fixture, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([
      'breaking field-moved $.email -> $.contact.email',
      'breaking field-moved $.paid_at -> $.timestamps.paid_at',
    ]);
    expect(only(report, 'field-moved')[0]!.message).toContain('same value');
  });

  it('a field gone while one of the same type appeared with the same distinctive value is field-renamed, even with unlike names', async () => {
    const fixture: FixtureSpec = {
      service: 'payments',
      name: 'a refund',
      method: 'GET',
      path: '/v1/refunds/re_3MtwBwLkdIwHu7ix',
      status: 200,
      body: { id: 're_3MtwBwLkdIwHu7ix', kind: 'refund', amount: 500, when: '2026-04-17T10:00:00Z', livemode: false },
    };
    const recordings: RecordingSpec[] = ['re_3MtwBwLkdIwHu7ix', 're_1NqkZ2LkdIwHu7ix'].map((id, i) => ({
      method: 'GET',
      path: `/v1/refunds/${id}`,
      status: 200,
      body: { id, object: 'refund', amount: 500 + i, posted: '2026-04-17T10:00:00Z', test: false },
    }));
    const report = await checkCase(format, fixture, recordings);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([
      'breaking field-missing $.livemode',
      'breaking field-renamed $.kind -> $.object',
      'breaking field-renamed $.when -> $.posted',
    ]);
    for (const finding of only(report, 'field-renamed')) expect(finding.message).toContain('same value');
  });

  it('name likeness alone never pairs carrier with weight, nor equal small values', async () => {
    const fixture: FixtureSpec = {
      service: 'warehouse',
      name: 'a parcel',
      method: 'GET',
      path: '/api/v1/parcels/SHIP4821',
      status: 200,
      body: { id: 'SHIP4821', carrier: 'dhl', count: 1, fragile: true },
    };
    const recordings: RecordingSpec[] = ['SHIP4821', 'SHIP4822'].map((id) => ({
      method: 'GET',
      path: `/api/v1/parcels/${id}`,
      status: 200,
      body: { id, weight: 'heavy', pieces: 1, hazardous: true },
    }));
    const report = await checkCase(format, fixture, recordings);
    expect(findingLines(report, ['breaking'])).toEqual(['breaking field-missing $.carrier', 'breaking field-missing $.count', 'breaking field-missing $.fragile']);
  });
});

describe('gzip of a good body is read', () => {
  it('a gzip-encoded JSON recording agrees with its fixture', async () => {
    const raw = new Uint8Array(gzipSync(Buffer.from(JSON.stringify({ ...CHARGE, id: CHARGE_IDS[0] }))));
    const report = await checkCase('native', CHARGE_FIXTURE, [{ method: 'GET', path: `/v1/charges/${CHARGE_IDS[0]}`, status: 200, body: '', raw, headers: { 'content-encoding': 'gzip' } }]);
    expect(report.summary.verified).toBe(1);
    expect(findingLines(report, ['breaking', 'warning'])).toEqual([]);
  });
});
