/**
 * A drift check in your own test run: fails when the mocks your tests use have drifted from what
 * the real sandbox answers (a field renamed, missing or retyped, a status changed), with
 * mockdrift's report as the failure message.
 *
 * Copy it next to your tests (say test/mock-drift.test.ts). It reads mockdrift.config.json when
 * there is one, and the recordings of `mockdrift record` or `mockdrift probe` in
 * recordings/mockdrift.db; the options are the flags of `mockdrift check`, in camelCase.
 */
import { describe, expect, it } from 'vitest';
import { check, formatReport } from 'mockdrift';

describe('the HTTP mocks', () => {
  it('answer as the sandbox does (no breaking drift)', async () => {
    const report = await check({ fixtures: ['fixtures/'] });
    expect(report.summary.breaking, formatReport(report, 'text')).toBe(0);
  });
});
