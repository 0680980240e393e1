import { createHash } from 'node:crypto';
import type { FixtureInteraction } from '../model/fixture.js';
import type { Finding, Report, ReportInteraction, Severity } from '../model/finding.js';
import { normalizePath } from '../model/route.js';
import { shapeOf } from '../model/shape.js';
import { operationLists } from '../model/spec-schema.js';
import { aggregateShapes } from './aggregate-shape.js';
import { toFinding, type CheckOptions } from './check-fixtures.js';
import type { Drift } from './drift.js';
import { mockAgainstSpecDrifts } from './schema-drifts.js';
import { specTemplates } from './spec-routes.js';

/** One operation of the spec: its responses by status. */
interface SpecOperationEntry {
  readonly method: string;
  readonly responses: Map<number, FixtureInteraction>;
  readonly first: FixtureInteraction;
}

/**
 * Checks mocks against a provider's OpenAPI document, the document standing for reality: no
 * sandbox, no recordings. A mock is matched to the operation whose path template fits its path
 * (with or without the spec's base path) and to the response of its status; its body is then
 * held to that response's schema. Every finding says `"source": "spec"`.
 */
export function checkAgainstSpec(mocks: readonly FixtureInteraction[], spec: readonly FixtureInteraction[], options: Pick<CheckOptions, 'ignore'> = {}): Report {
  const operations = new Map<string, SpecOperationEntry[]>();
  for (const response of spec) {
    if (!response.operation || response.request.path === null) continue;
    for (const path of [response.request.path, response.operation.barePath]) {
      if (!path) continue;
      const list = operations.get(path) ?? [];
      let entry = list.find((candidate) => candidate.method === response.request.method);
      if (!entry) {
        entry = { method: response.request.method, responses: new Map(), first: response };
        list.push(entry);
        operations.set(path, list);
      }
      entry.responses.set(response.response.status, response);
    }
  }
  const templates = specTemplates(spec);

  const findings: Finding[] = [];
  const checked: ReportInteraction[] = [];
  for (const mock of mocks) {
    if (mock.format === 'openapi') continue;
    const path = mock.request.path === null ? null : normalizePath(mock.request.path);
    const template = path === null ? undefined : templates.find((candidate) => candidate.matches(path) && operations.get(candidate.template)?.some((entry) => entry.method === mock.request.method || mock.request.method === 'ANY'));
    const entry = template ? operations.get(template.template)!.find((one) => one.method === mock.request.method || mock.request.method === 'ANY')! : undefined;
    const route = entry ? `${entry.method} ${entry.first.operation!.name.split(' ').slice(1).join(' ')}` : `${mock.request.method} ${path ?? mock.request.pathPattern ?? '?'}`;
    const drifts: Drift[] = [];
    if (!entry) {
      drifts.push({
        kind: 'unverified',
        recordings: 0,
        matching: 0,
        message: `Nothing to compare with: the spec has no operation ${mock.request.method} ${path ?? mock.request.pathPattern ?? '?'}.`,
        fix: 'check the path and method of the fixture against the spec',
      });
    } else {
      drifts.push(...responseDrifts(mock, entry, options));
    }
    const service = mock.service;
    for (const drift of drifts) {
      const finding = toFinding(mock, drift, route, service, null, { requireCoverage: false });
      findings.push({ ...finding, id: createHash('sha1').update(`spec\u0000${finding.id}`).digest('hex').slice(0, 16), source: 'spec' });
    }
    checked.push({ fixture: mock.file, line: mock.location.line, interaction: mock.name, service, route, status: mock.response.status, verified: entry !== undefined });
  }
  return reportOf(findings, checked);
}

function responseDrifts(mock: FixtureInteraction, entry: SpecOperationEntry, options: Pick<CheckOptions, 'ignore'>): Drift[] {
  const operation = entry.first.operation!;
  const status = mock.response.status;
  const response = entry.responses.get(status);
  if (!response) {
    if (operationLists(operation, status)) return [];
    const listed = [...operation.statuses.map(String), ...operation.ranges.map((range) => `${range}XX`)].join(', ') || 'no status';
    return [
      {
        kind: 'status-changed',
        expected: listed,
        actual: status,
        recordings: 0,
        matching: 0,
        message: `The fixture answers ${status}; the spec lists ${listed} for ${operation.name}.`,
        fix: `answer one of ${listed} in {at}, as the spec says`,
      },
    ];
  }
  const expectedType = response.response.contentType;
  const actualType = mock.response.contentType;
  if (expectedType !== null && actualType !== null && isJsonMediaType(expectedType) !== isJsonMediaType(actualType)) {
    return [
      {
        kind: 'content-type-changed',
        expected: expectedType,
        actual: actualType,
        recordings: 0,
        matching: 0,
        message: `The fixture answers ${actualType}; the spec says ${operation.name} answers ${expectedType} with ${status}.`,
        fix: `answer ${expectedType} in {at}, with a body of that type`,
      },
    ];
  }
  const schema = response.response.schema;
  const body = mock.response.body;
  if (!schema || body === undefined) return [];
  const shape = aggregateShapes([{ shape: shapeOf(body), count: 1 }]);
  const route = `${mock.request.method} ${mock.request.path ?? ''}`;
  const ignored = (path: string): boolean => options.ignore?.ignores(path, route) ?? false;
  return mockAgainstSpecDrifts(schema, shape, { ignored, samples: () => [body] });
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$|^text\/json$/;

function isJsonMediaType(type: string): boolean {
  return JSON_TYPE.test(type);
}

function reportOf(findings: Finding[], interactions: ReportInteraction[]): Report {
  findings.sort((a, b) => a.fixture.localeCompare(b.fixture) || a.line - b.line || rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  const count = (severity: Severity): number => findings.filter((finding) => finding.severity === severity).length;
  const verified = interactions.filter((interaction) => interaction.verified).length;
  return {
    version: 1,
    summary: { fixtures: interactions.length, verified, unverified: interactions.length - verified, breaking: count('breaking'), warning: count('warning'), info: count('info') },
    findings,
    interactions,
  };
}

function rank(severity: Severity): number {
  return severity === 'breaking' ? 0 : severity === 'warning' ? 1 : 2;
}

/**
 * One report of a check against both the spec and the recordings: every finding says which it
 * came from; an interaction is verified when either verified it, and the recordings' `unverified`
 * for an interaction the spec verified is left out (the spec did compare it).
 */
export function mergeSpecAndRecordings(spec: Report, recordings: Report): Report {
  const key = (interaction: { fixture: string; line: number; interaction: string }): string => `${interaction.fixture}\u0000${interaction.line}\u0000${interaction.interaction}`;
  const specVerified = new Set((spec.interactions ?? []).filter((interaction) => interaction.verified).map(key));
  const findings = [
    ...spec.findings,
    ...recordings.findings.filter((finding) => !(finding.kind === 'unverified' && specVerified.has(key(finding)))).map((finding) => ({ ...finding, source: 'recordings' as const })),
  ];
  const interactions = new Map<string, ReportInteraction>();
  for (const interaction of recordings.interactions ?? []) interactions.set(key(interaction), interaction);
  for (const interaction of spec.interactions ?? []) {
    const existing = interactions.get(key(interaction));
    interactions.set(key(interaction), existing ? { ...existing, verified: existing.verified || interaction.verified } : interaction);
  }
  return reportOf(findings, [...interactions.values()]);
}
