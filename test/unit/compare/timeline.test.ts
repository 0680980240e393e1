import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/check.js';
import type { Finding } from '../../../src/model/finding.js';
import { prepareExchange } from '../../../src/capture/prepare-exchange.js';
import { Redactor } from '../../../src/capture/redactor.js';
import { harToCaptured } from '../../../src/store/har.js';
import { SqliteRecordingStore } from '../../../src/store/sqlite-recording-store.js';
import { hourly, timedHar, type TimedAnswer } from '../../support/timed-har.js';
import { tempDir } from '../../support/temp-dir.js';

let dir: ReturnType<typeof tempDir>;

beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const FIXTURE_BODY = { id: 'ch_1', transaction_id: 'txn_1', amount: 1200, note: 'first' };

/** Imports answers recorded at fixed times into a real store, the way `mockdrift import` does. */
async function store(answers: readonly TimedAnswer[]): Promise<void> {
  const db = SqliteRecordingStore.open(join(dir.path, 'store.db'));
  try {
    const captured = harToCaptured(timedHar(answers), { service: 'payments', session: 's', file: 'timed.har' });
    const options = { redactor: new Redactor(), maxBodyBytes: 1024 * 1024 };
    db.insert(await Promise.all(captured.map((exchange) => prepareExchange(exchange, options))));
  } finally {
    db.close();
  }
}

async function check(body: unknown = FIXTURE_BODY): Promise<Finding[]> {
  const fixture = { service: 'payments', name: 'get a charge', request: { method: 'GET', path: '/v1/charges/ch_100' }, response: { status: 200, body } };
  writeFileSync(join(dir.path, 'charge.json'), `${JSON.stringify(fixture, null, 2)}\n`);
  const report = await runCheck({ cwd: dir.path, db: 'store.db', config: {}, fixtures: ['charge.json'] });
  return [...report.findings];
}

const before = (times: string[], extra: object = {}): TimedAnswer[] =>
  times.map((at, i) => ({ at, body: { id: `ch_${i}`, transaction_id: `txn_${i}`, amount: 1200, note: 'x', ...extra } }));
const after = (times: string[], extra: object = {}): TimedAnswer[] =>
  times.map((at, i) => ({ at, body: { id: `ch_${i + 50}`, txn_id: `txn_${i + 50}`, amount: 1200, note: 'x', ...extra } }));

describe('since and lastAgreed', () => {
  it('reports a field renamed at a known time as renamed since then, not as optional', async () => {
    const old = hourly('2026-11-17T08:00:00.000Z', 5);
    const renamed = hourly('2026-11-18T09:00:00.000Z', 5);
    await store([...before(old), ...after(renamed)]);
    const findings = await check();
    const rename = findings.find((finding) => finding.kind === 'field-renamed');
    expect(rename).toMatchObject({ path: '$.transaction_id', to: '$.txn_id', since: renamed[0], lastAgreed: old[4] });
    expect(rename!.message).toContain('in none of the 5 since 2026-11-18T09:00:00.000Z');
    expect(findings.some((finding) => finding.kind === 'field-optional')).toBe(false);
    // The new name is the same change, told once.
    expect(findings.some((finding) => finding.kind === 'field-added' && finding.path === '$.txn_id')).toBe(false);
  });

  it('reports a field removed at a known time as missing since then', async () => {
    const old = hourly('2026-11-17T08:00:00.000Z', 4);
    const later = hourly('2026-11-19T00:00:00.000Z', 4);
    await store([
      ...old.map((at, i) => ({ at, body: { id: `ch_${i}`, transaction_id: `t${i}`, amount: 1, note: 'x' } })),
      ...later.map((at, i) => ({ at, body: { id: `ch_${i}`, transaction_id: `t${i}`, amount: 1 } })),
    ]);
    const missing = (await check()).find((finding) => finding.path === '$.note');
    expect(missing).toMatchObject({ kind: 'field-missing', severity: 'breaking', since: later[0], lastAgreed: old[3] });
    expect(missing!.message).toContain('removed');
  });

  it('keeps a field that comes and goes optional, since the first recording without it', async () => {
    const times = hourly('2026-11-17T00:00:00.000Z', 8);
    // present, present, absent, present, absent, present, present, present
    const present = [true, true, false, true, false, true, true, true];
    await store(times.map((at, i) => ({ at, body: { id: 'ch', transaction_id: 't', amount: 1, ...(present[i] ? { note: 'x' } : {}) } })));
    const optional = (await check()).find((finding) => finding.path === '$.note');
    expect(optional).toMatchObject({ kind: 'field-optional', since: times[2], lastAgreed: times[1] });
  });

  it('keeps too short a history optional: two recordings after the change could be chance', async () => {
    await store([...before(hourly('2026-11-17T00:00:00.000Z', 5)), ...after(hourly('2026-11-18T00:00:00.000Z', 2))]);
    const findings = await check();
    expect(findings.find((finding) => finding.path === '$.transaction_id')?.kind).toBe('field-optional');
  });

  it('says "before" the first recording when no recording ever agreed', async () => {
    const times = hourly('2026-11-20T10:00:00.000Z', 3);
    await store(after(times));
    const rename = (await check()).find((finding) => finding.kind === 'field-renamed');
    expect(rename).toMatchObject({ since: `before ${times[0]}` });
    expect(rename).not.toHaveProperty('lastAgreed');
  });

  it('finds the exact first drifting recording after the last agreement when shapes were seen in turns', async () => {
    const t = hourly('2026-11-17T00:00:00.000Z', 7);
    const body = (note: string | null, extra: object = {}): object => ({ id: 'ch', transaction_id: 't', amount: 1, note, ...extra });
    // Shape A (string note): t0, t1, t4. Shape B (null note): t2, t3, t6 — seen before and after t4.
    // Shape C (string note, one field more): t5, which agrees. The last agreement is t5; the first null after it is t6.
    await store([
      { at: t[0]!, body: body('a') },
      { at: t[1]!, body: body('a') },
      { at: t[2]!, body: body(null) },
      { at: t[3]!, body: body(null) },
      { at: t[4]!, body: body('a') },
      { at: t[5]!, body: body('a', { extra: 1 }) },
      { at: t[6]!, body: body(null) },
    ]);
    const nullable = (await check()).find((finding) => finding.kind === 'field-nullable');
    expect(nullable).toMatchObject({ path: '$.note', since: t[6], lastAgreed: t[5] });
  });

  it('carries a timeline of the agreeing and the drifting shapes', async () => {
    const old = hourly('2026-11-17T08:00:00.000Z', 5);
    const renamed = hourly('2026-11-18T09:00:00.000Z', 5);
    await store([...before(old), ...after(renamed)]);
    const rename = (await check()).find((finding) => finding.kind === 'field-renamed')!;
    expect(rename.timeline?.agreed.reduce((n, span) => n + span.count, 0)).toBe(5);
    expect(rename.timeline?.drifted[0]).toMatchObject({ first: Date.parse(renamed[0]!), last: Date.parse(renamed[4]!), count: 5 });
  });
});
