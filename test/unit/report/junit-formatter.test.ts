import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { checkFixtures, type Recordings } from '../../../src/compare/check-fixtures.js';
import { FINDING_SEVERITY, type Finding, type FindingKind, type Report, type ReportInteraction } from '../../../src/model/finding.js';
import type { FixtureInteraction } from '../../../src/model/fixture.js';
import type { RecordedGroup } from '../../../src/model/recorded-group.js';
import { shapeOf } from '../../../src/model/shape.js';
import { JunitFormatter } from '../../../src/report/junit-formatter.js';

const HOSTILE = '<script>alert(1)</script> & "quotes" \'single\' ]]> line\nbreak\u0000\u001b';

interface ParsedCase {
  '@_classname': string;
  '@_name': string;
  failure?: Array<{ '#text': string; '@_message': string; '@_type': string }>;
  skipped?: { '@_message': string };
  'system-out'?: string;
}
interface ParsedSuite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  testcase: ParsedCase[];
}
interface Parsed {
  testsuites: { '@_tests': string; '@_failures': string; '@_skipped': string; testsuite?: ParsedSuite[] };
}

/** Parses with a real XML parser, after checking the document is well-formed. */
function parse(xml: string): Parsed {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    // Numeric character references (&#10; in attributes) are XML, but this parser decodes them only here.
    htmlEntities: true,
    trimValues: false,
    isArray: (name) => ['testsuite', 'testcase', 'failure'].includes(name),
  });
  return parser.parse(xml) as Parsed;
}

function finding(kind: FindingKind, interaction: ReportInteraction, overrides: Partial<Finding> = {}): Finding {
  return {
    id: `${kind}-${interaction.interaction}`,
    kind,
    severity: FINDING_SEVERITY[kind],
    fixture: interaction.fixture,
    line: interaction.line + 2,
    interaction: interaction.interaction,
    service: interaction.service,
    route: interaction.route,
    status: interaction.status,
    path: '$.amount',
    expected: 'number',
    actual: 'string',
    evidence: { recordings: 40, matching: 0, lastSeen: '2026-11-20T10:00:00.000Z' },
    message: `${kind} happened`,
    fix: `undo ${kind}`,
    ...overrides,
  };
}

const CHARGE: ReportInteraction = { fixture: 'fixtures/charges.json', line: 5, interaction: 'create a charge', service: 'payments', route: 'POST /v1/charges', status: 201, verified: true };
const LIST: ReportInteraction = { fixture: 'fixtures/charges.json', line: 30, interaction: 'list charges', service: 'payments', route: 'GET /v1/charges', status: 200, verified: true };
const REFUND: ReportInteraction = { fixture: 'fixtures/refunds.json', line: 4, interaction: 'a refund', service: null, route: 'GET /v1/refunds/1', status: 200, verified: false };

const REPORT: Report = {
  version: 1,
  summary: { fixtures: 3, verified: 2, unverified: 1, breaking: 2, warning: 1, info: 2 },
  findings: [
    finding('type-changed', CHARGE),
    finding('field-renamed', CHARGE, { path: '$.transaction_id', to: '$.txn_id' }),
    finding('field-nullable', CHARGE),
    finding('field-added', CHARGE),
    finding('unverified', REFUND, { message: 'Nothing to compare with: no recording.', evidence: { recordings: 0, matching: 0, lastSeen: null } }),
  ],
  interactions: [CHARGE, LIST, REFUND],
};

describe('JunitFormatter', () => {
  const formatter = new JunitFormatter();

  it('has one suite per fixture file and one test case per interaction, even those without findings', () => {
    const { testsuites } = parse(formatter.render(REPORT));
    expect(testsuites.testsuite?.map((suite) => suite['@_name'])).toEqual(['fixtures/charges.json', 'fixtures/refunds.json']);
    const cases = testsuites.testsuite!.flatMap((suite) => suite.testcase);
    expect(cases.map((testCase) => [testCase['@_classname'], testCase['@_name']])).toEqual([
      ['fixtures/charges.json', 'create a charge — POST /v1/charges → 201'],
      ['fixtures/charges.json', 'list charges — GET /v1/charges → 200'],
      ['fixtures/refunds.json', 'a refund — GET /v1/refunds/1 → 200'],
    ]);
    expect(testsuites).toMatchObject({ '@_tests': '3', '@_failures': '1', '@_skipped': '1' });
  });

  it('has one failure per breaking finding, warnings and info as output, and unverified as skipped', () => {
    const [charge, list, refund] = parse(formatter.render(REPORT)).testsuites.testsuite!.flatMap((suite) => suite.testcase);
    expect(charge!.failure?.map((failure) => [failure['@_type'], failure['@_message']])).toEqual([
      ['type-changed', 'type-changed $.amount'],
      ['field-renamed', 'field-renamed $.transaction_id → $.txn_id'],
    ]);
    expect(charge!.failure![0]!['#text']).toBe('type-changed happened\nnumber → string\nfix: undo type-changed');
    expect(charge!['system-out']?.split('\n')).toEqual([
      'warning field-nullable $.amount number → string: field-nullable happened (fix: undo field-nullable)',
      'info field-added $.amount number → string: field-added happened (fix: undo field-added)',
    ]);
    expect(list!.failure).toBeUndefined();
    expect(list!.skipped).toBeUndefined();
    expect(refund!.skipped?.['@_message']).toBe('unverified: Nothing to compare with: no recording.');
  });

  it('fails rather than skips an unverified interaction whose finding is breaking (--require-coverage)', () => {
    const report: Report = { ...REPORT, findings: [finding('unverified', REFUND, { severity: 'breaking' })], interactions: [REFUND] };
    const [refund] = parse(formatter.render(report)).testsuites.testsuite![0]!.testcase;
    expect(refund!.failure).toHaveLength(1);
    expect(refund!.skipped).toBeUndefined();
  });

  it('keeps hostile text intact and the document well-formed, control characters included', () => {
    const report: Report = { ...REPORT, findings: [finding('type-changed', CHARGE, { message: HOSTILE, path: HOSTILE, fix: undefined, expected: undefined, actual: undefined })], interactions: [CHARGE] };
    const xml = formatter.render(report);
    expect(xml).not.toContain('<script>');
    const [failure] = parse(xml).testsuites.testsuite![0]!.testcase[0]!.failure!;
    expect(failure!['#text']).toBe(HOSTILE.replace(/[\u0000\u001b]/g, '\uFFFD'));
    expect(failure!['@_message']).toBe(`type-changed ${HOSTILE.replace(/[\u0000\u001b]/g, '\uFFFD')}`);
  });

  it('derives the test cases from the findings when a hand-built report lists no interactions', () => {
    const { interactions: _omitted, ...report } = REPORT;
    const { testsuites } = parse(formatter.render(report));
    expect(testsuites.testsuite!.flatMap((suite) => suite.testcase).map((testCase) => testCase['@_name'])).toEqual([
      'create a charge — POST /v1/charges → 201',
      'a refund — GET /v1/refunds/1 → 200',
    ]);
  });

  it('has a test case for every interaction checkFixtures compared, in input order', () => {
    const interaction = (index: number, path: string, body: unknown): FixtureInteraction => ({
      file: 'fixtures/things.json',
      format: 'native',
      index,
      name: `GET ${path}`,
      service: null,
      request: { method: 'GET', path, query: null, headers: {} },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body, contentType: 'application/json' },
      matchers: {},
      pinsLiterals: false,
      location: { interactionPointer: [], bodyPointer: null, line: 3 + index * 10, lineOf: () => 4 + index * 10 },
    });
    const group: RecordedGroup = {
      service: 'default',
      method: 'GET',
      route: '/things',
      status: 200,
      queryNames: [],
      contentType: 'application/json',
      count: 2,
      firstSeen: 0,
      lastSeen: 1,
      samplePath: '/things',
      headers: new Map([['content-type', 2]]),
      shapes: [{ shape: shapeOf({ id: 1 }), count: 2 }],
    };
    const recordings: Recordings = { groups: [group], samples: () => [{ id: 1 }, { id: 2 }] };
    const fixtures = [interaction(0, '/things', { id: 1 }), interaction(1, '/things', { id: '1' }), interaction(2, '/other', { id: 1 })];
    const report = checkFixtures(fixtures, recordings, { now: 2 });
    expect(report.interactions?.map(({ route, verified, line }) => [route, verified, line])).toEqual([
      ['GET /things', true, 3],
      ['GET /things', true, 13],
      ['GET /other', false, 23],
    ]);
    const cases = parse(formatter.render(report)).testsuites.testsuite![0]!.testcase;
    expect(cases.map((testCase) => [testCase.failure?.length ?? 0, testCase.skipped !== undefined])).toEqual([
      [0, false],
      [1, false],
      [0, true],
    ]);
  });
});
