import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUpdate } from '../../src/update/run-update.js';
import type { FixtureFormat } from '../../src/model/fixture.js';
import { findingLines, prepareCase, type FixtureSpec, type RecordingSpec } from '../corpus/harness.js';

/** A fixture that drifted in every way `update` can mend. */
const FIXTURE: FixtureSpec = {
  service: 'payments',
  name: 'create a charge',
  method: 'POST',
  path: '/v1/charges',
  status: 201,
  body: {
    id: 'ch_fixture_1',
    transaction_id: 'txn_fixture',
    amount: 1200,
    fee: 30,
    currency: 'eur',
    created_on: '2026-04-17',
    legacy_flag: true,
    note: 'hello',
    customer: { user_id: 'usr_fixture', email: 'fixture@example.com' },
    items: [
      { sku: 'SKU-A', qty: 1 },
      { sku: 'SKU-B', qty: 3 },
    ],
  },
};

function reality(index: number): RecordingSpec {
  return {
    method: 'POST',
    path: '/v1/charges',
    status: 200,
    body: {
      id: `ch_real_${index}`,
      txn_id: `txn_real_${index}`,
      amount: 1000 + index,
      fee: `${index}.50`,
      currency: 'usd',
      created_on: `2026-11-2${index}T10:00:00Z`,
      note: null,
      customer: { userId: `usr_${index}`, email: `real${index}@example.com` },
      items: [{ skuCode: `SKU-${index}`, qty: index }],
    },
  };
}

const RECORDINGS = [1, 2, 3, 4].map(reality);

describe.each(['native', 'pact', 'wiremock'] as FixtureFormat[])('update of a %s fixture', (format) => {
  it('rewrites the drift away, keeping values, key order and layout, and a check then finds no breaking drift', async () => {
    const prepared = await prepareCase(format, FIXTURE, RECORDINGS);
    try {
      const before = await prepared.check();
      expect(findingLines(before, ['breaking']).length).toBeGreaterThanOrEqual(5);
      const path = join(prepared.dir, prepared.fixture.file);
      const original = readFileSync(path, 'utf8');

      const dry = await runUpdate({ cwd: prepared.dir, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], dryRun: true });
      expect(readFileSync(path, 'utf8')).toBe(original);
      expect(dry.files).toHaveLength(1);
      expect(dry.files[0]?.diff).toContain('-');

      const result = await runUpdate({ cwd: prepared.dir, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], dryRun: false });
      expect(result.files.map((file) => file.file)).toEqual([prepared.fixture.file]);
      expect(result.files[0]?.diff).toBe(dry.files[0]?.diff);

      const after = await prepared.check();
      expect(findingLines(after, ['breaking'])).toEqual([]);

      const text = readFileSync(path, 'utf8');
      expect(text.endsWith('\n')).toBe(original.endsWith('\n'));
      expect(/\n( +)"/.exec(text)?.[1]).toBe(/\n( +)"/.exec(original)?.[1]);
      // Renamed in place: the new key stands where the old one stood.
      expect(text.indexOf('"txn_id"')).toBeLessThan(text.indexOf('"amount"'));
      expect(text).toContain('"userId": "usr_fixture"');
      expect(text).toContain('"skuCode": "SKU-A"');
      expect(text).toContain('"skuCode": "SKU-B"');
      expect(text).not.toContain('legacy_flag');
      // The fixture's own values stay where the field kept its type…
      expect(text).toContain('"amount": 1200');
      expect(text).toContain('fixture@example.com');
      // …and take a recorded value where the type changed.
      expect(text).toMatch(/"fee": "\d\.50"/);
      expect(text).toMatch(/"created_on": "2026-11-2\dT10:00:00Z"/);
      expect(text).toContain('"note": null');
    } finally {
      prepared.remove();
    }
  });
});

describe('update', () => {
  it('says there is nothing to do when the fixtures match', async () => {
    const prepared = await prepareCase('native', { ...FIXTURE, status: 200, body: reality(9).body }, RECORDINGS);
    try {
      const result = await runUpdate({ cwd: prepared.dir, db: 'recordings.db', config: {}, fixtures: ['fixtures/'], dryRun: false });
      expect(result.files).toEqual([]);
    } finally {
      prepared.remove();
    }
  });
});
