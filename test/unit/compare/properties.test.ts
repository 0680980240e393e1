import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFixtures, type Recordings } from '../../../src/compare/check-fixtures.js';
import type { Finding } from '../../../src/model/finding.js';
import type { FixtureInteraction } from '../../../src/model/fixture.js';
import { childPath, itemsPath, lastKey, parentPath, ROOT_PATH } from '../../../src/model/json-path.js';
import type { RecordedGroup } from '../../../src/model/recorded-group.js';
import { shapeOf } from '../../../src/model/shape.js';

const NOW = Date.UTC(2026, 3, 17, 10, 0, 0);

/** One group of recordings of `GET /things`, 200, JSON, holding exactly `bodies`. */
function recordingsOf(bodies: readonly unknown[]): Recordings {
  const shapes = new Map<string, { shape: ReturnType<typeof shapeOf>; count: number }>();
  for (const body of bodies) {
    const shape = shapeOf(body);
    const key = JSON.stringify(Object.entries(shape));
    const entry = shapes.get(key);
    if (entry) entry.count += 1;
    else shapes.set(key, { shape, count: 1 });
  }
  const group: RecordedGroup = {
    service: 'default',
    method: 'GET',
    route: '/things',
    status: 200,
    queryNames: [],
    contentType: 'application/json',
    count: bodies.length,
    firstSeen: NOW - 60_000,
    lastSeen: NOW,
    samplePath: '/things',
    headers: new Map([['content-type', bodies.length]]),
    shapes: [...shapes.values()],
  };
  return { groups: [group], samples: () => bodies };
}

function fixtureOf(body: unknown): FixtureInteraction {
  return {
    file: 'fixtures/things.json',
    format: 'native',
    index: 0,
    name: 'GET /things',
    service: null,
    request: { method: 'GET', path: '/things', query: null, headers: {} },
    response: { status: 200, headers: { 'content-type': 'application/json' }, body, contentType: 'application/json' },
    matchers: {},
    pinsLiterals: false,
    location: { interactionPointer: [], bodyPointer: null, line: 1, lineOf: () => 1 },
  };
}

function check(fixtureBody: unknown, recorded: readonly unknown[]): readonly Finding[] {
  return checkFixtures([fixtureOf(fixtureBody)], recordingsOf(recorded), { now: NOW }).findings;
}

const serious = (findings: readonly Finding[]): string[] =>
  findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.kind} ${finding.path ?? '-'}${finding.to ? ` -> ${finding.to}` : ''}`);

describe('comparator properties', () => {
  it('a JSON object or array compared with recordings of itself yields no breaking or warning finding', () => {
    const containers = fc.jsonValue({ maxDepth: 4 }).filter((value) => typeof value === 'object' && value !== null);
    fc.assert(
      fc.property(containers, fc.integer({ min: 1, max: 3 }), (body, copies) => {
        const recorded = Array.from({ length: copies }, () => structuredClone(body));
        expect(serious(check(body, recorded))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  // Words with no abbreviation of their own in the name matcher, so snake_case keys stay distinct.
  const WORDS = ['order', 'line', 'item', 'total', 'price', 'customer', 'account', 'status', 'unit', 'tax', 'code', 'name', 'region', 'batch', 'carrier', 'parcel', 'invoice', 'zone'];
  const snakeKey = fc.array(fc.constantFrom(...WORDS), { minLength: 2, maxLength: 3 }).map((words) => words.join('_'));
  const scalar = fc.oneof(
    fc.integer({ min: 0, max: 100_000 }),
    fc.boolean(),
    fc.array(fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'red', 'blue'), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' ')),
  );
  const objectOf = (depth: number): fc.Arbitrary<Record<string, unknown>> => {
    const value: fc.Arbitrary<unknown> =
      depth <= 1 ? scalar : fc.oneof({ weight: 3, arbitrary: scalar }, objectOf(depth - 1), fc.array(objectOf(depth - 1), { minLength: 1, maxLength: 2 }));
    return fc
      .uniqueArray(fc.tuple(snakeKey, value), { selector: ([key]) => key, minLength: 1, maxLength: 4 })
      .map((entries) => Object.fromEntries(entries));
  };

  it('renaming one snake_case key to camelCase in reality yields exactly one field-renamed, old path to new', () => {
    fc.assert(
      fc.property(objectOf(3), fc.nat(), (body, pick) => {
        const keyPaths = Object.keys(shapeOf(body)).filter((path) => lastKey(path) !== undefined);
        const from = keyPaths[pick % keyPaths.length]!;
        const key = lastKey(from)!;
        const to = childPath(parentPath(from)!, camelCase(key));
        const renamed = renameAt(body, from, camelCase(key));
        const recorded = [renamed, structuredClone(renamed)];
        const findings = check(body, recorded);
        expect(serious(findings)).toEqual([`field-renamed ${from} -> ${to}`]);
      }),
      { numRuns: 100 },
    );
  });
});

function camelCase(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** A copy of `value` where the key at `target` (every occurrence, array items included) is called `newKey`. */
function renameAt(value: unknown, target: string, newKey: string, path = ROOT_PATH): unknown {
  if (Array.isArray(value)) return value.map((item) => renameAt(item, target, newKey, itemsPath(path)));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const childAt = childPath(path, key);
    out[childAt === target ? newKey : key] = renameAt(child, target, newKey, childAt);
  }
  return out;
}
