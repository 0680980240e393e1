import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  MAX_SHAPE_DEPTH,
  MAX_SHAPE_PATHS,
  formatOf,
  jsonTypeOf,
  parseShape,
  serializeShape,
  shapeOf,
  shapeOfUnflagged,
  ShapeCache,
  type BodyShape,
  type ValueInspector,
} from '../../../src/model/shape.js';
import { childPath, itemsPath, ROOT_PATH } from '../../../src/model/json-path.js';

/** A copy of a JSON value with every array, at every depth, in reverse order. */
function reverseArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseArrays).reverse();
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(copy, key, {
        value: reverseArrays((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return value;
}

/** The shape as a plain object, for readable equality checks. */
function plain(shape: BodyShape): Record<string, unknown> {
  return JSON.parse(JSON.stringify(shape)) as Record<string, unknown>;
}

describe('json paths', () => {
  it('writes plain identifiers with a dot and other keys in single-quoted brackets', () => {
    expect(childPath(ROOT_PATH, 'id')).toBe('$.id');
    expect(childPath(ROOT_PATH, 'x-request-id')).toBe('$.x-request-id');
    expect(childPath(ROOT_PATH, 'a.b')).toBe("$['a.b']");
    expect(childPath(ROOT_PATH, 'with space')).toBe("$['with space']");
    expect(childPath(ROOT_PATH, '1st')).toBe("$['1st']");
    expect(childPath(ROOT_PATH, '')).toBe("$['']");
    expect(childPath(ROOT_PATH, '*')).toBe("$['*']");
  });

  it('writes array items as [*] appended to the parent path', () => {
    expect(itemsPath(ROOT_PATH)).toBe('$[*]');
    expect(itemsPath('$.items')).toBe('$.items[*]');
  });
});

describe('jsonTypeOf', () => {
  it('tells apart the six JSON types', () => {
    expect([null, true, 1.5, 'x', [], {}].map(jsonTypeOf)).toEqual(['null', 'boolean', 'number', 'string', 'array', 'object']);
  });
});

describe('shapeOf', () => {
  it('describes every path of a nested body with its JSON types', () => {
    const shape = shapeOf({ id: 7, name: 'Ada', active: true, owner: null, address: { city: 'Paris' }, tags: ['a'] });
    expect(Object.keys(shape)).toEqual([
      '$',
      '$.active',
      '$.address',
      '$.address.city',
      '$.id',
      '$.name',
      '$.owner',
      '$.tags',
      '$.tags[*]',
    ]);
    expect(shape['$']).toEqual({ types: ['object'] });
    expect(shape['$.active']).toEqual({ types: ['boolean'] });
    expect(shape['$.address']).toEqual({ types: ['object'] });
    expect(shape['$.address.city']).toEqual({ types: ['string'] });
    expect(shape['$.id']).toEqual({ types: ['number'], formats: ['integer'] });
    expect(shape['$.owner']).toEqual({ types: ['null'] });
    expect(shape['$.tags']).toEqual({ types: ['array'] });
    expect(shape['$.tags[*]']).toEqual({ types: ['string'] });
  });

  it('describes a scalar body as a single root path', () => {
    expect(plain(shapeOf('hello'))).toEqual({ $: { types: ['string'] } });
    expect(plain(shapeOf(null))).toEqual({ $: { types: ['null'] } });
  });

  it('merges the items of an array into one [*] entry', () => {
    const shape = shapeOf({ items: [{ sku: 'A-1', qty: 1 }, { sku: 'B-2', qty: 3 }, { sku: 'C-3', qty: 2 }] });
    expect(Object.keys(shape)).toEqual(['$', '$.items', '$.items[*]', '$.items[*].qty', '$.items[*].sku']);
    expect(shape['$.items[*]']).toEqual({ types: ['object'] });
  });

  it('merges items of different types into one entry with every type sorted', () => {
    const shape = shapeOf([1, 'two', true, null, { a: 1 }, [2]]);
    expect(shape['$[*]']?.types).toEqual(['array', 'boolean', 'null', 'number', 'object', 'string']);
  });

  it('marks a field present in only some array items as partial', () => {
    const shape = shapeOf({ items: [{ sku: 'A', discount: 5 }, { sku: 'B' }, { sku: 'C', discount: 1 }] });
    expect(shape['$.items[*].discount']?.partial).toBe(true);
  });

  it('does not mark a field present in every array item as partial', () => {
    const shape = shapeOf({ items: [{ sku: 'A', discount: 5 }, { sku: 'B' }] });
    expect(shape['$.items[*].sku']).not.toHaveProperty('partial');
    expect(shape['$.items[*]']).not.toHaveProperty('partial');
    expect(shape['$.items']).not.toHaveProperty('partial');
  });

  it('marks a field partial when it is missing from some occurrences of a nested object', () => {
    const shape = shapeOf([{ meta: { etag: 'x' } }, { meta: {} }]);
    expect(shape['$[*].meta']).not.toHaveProperty('partial');
    expect(shape['$[*].meta.etag']?.partial).toBe(true);
  });

  it('counts items across every occurrence of an array when deciding partial', () => {
    const full = shapeOf({ groups: [{ items: [{ a: 1 }, { a: 2 }] }, { items: [{ a: 3 }] }] });
    expect(full['$.groups[*].items[*].a']).not.toHaveProperty('partial');
    const some = shapeOf({ groups: [{ items: [{ a: 1 }, { a: 2 }] }, { items: [{ b: 3 }] }] });
    expect(some['$.groups[*].items[*].a']?.partial).toBe(true);
    expect(some['$.groups[*].items[*].b']?.partial).toBe(true);
  });

  it('treats null as a type of its own, seen alongside the others', () => {
    const shape = shapeOf([{ note: 'hi' }, { note: null }]);
    expect(shape['$[*].note']).toEqual({ types: ['null', 'string'] });
  });

  it('produces no [*] entry for an empty array', () => {
    const shape = shapeOf({ tags: [] });
    expect(Object.keys(shape)).toEqual(['$', '$.tags']);
    expect(shape['$.tags']).toEqual({ types: ['array'] });
    expect(Object.keys(shapeOf([]))).toEqual(['$']);
  });

  it.each([
    ['2024-01-31', 'date'],
    ['2024-01-31T12:30:00Z', 'date-time'],
    ['2024-01-31T12:30:00.123+02:00', 'date-time'],
    ['2024-01-31 12:30', 'date-time'],
    ['12:30:00', 'time'],
    ['123e4567-e89b-12d3-a456-426614174000', 'uuid'],
    ['123E4567-E89B-12D3-A456-426614174000', 'uuid'],
    ['ada@example.com', 'email'],
    ['https://api.example.com/v1/charges?limit=3', 'uri'],
    ['s3://bucket/key', 'uri'],
    ['42', 'integer-string'],
    ['-7', 'integer-string'],
    ['3.14', 'decimal-string'],
    ['-0.5', 'decimal-string'],
    [42, 'integer'],
    [0, 'integer'],
    [-3, 'integer'],
    [3.5, 'decimal'],
  ] as const)('recognises %j as %s', (value, format) => {
    expect(formatOf(value)).toBe(format);
    expect(shapeOf({ v: value })['$.v']?.formats).toEqual([format]);
  });

  it.each(['hello', 'pending', 'Paris', 'v1', 'a-b-c', '2024 was a good year', 'not an email@', 'example.com', '', ' 42', '1.2.3'])(
    'recognises no format in the ordinary string %j',
    (value) => {
      expect(formatOf(value)).toBeUndefined();
      expect(shapeOf({ v: value })['$.v']).toEqual({ types: ['string'] });
    },
  );

  it('recognises no format in booleans, null, objects or arrays', () => {
    for (const value of [true, false, null, {}, []]) expect(formatOf(value)).toBeUndefined();
  });

  it('lists every format seen at a path, sorted', () => {
    const shape = shapeOf({ amounts: [1, 2.5, '3', '4.25'] });
    expect(shape['$.amounts[*]']).toEqual({
      types: ['number', 'string'],
      formats: ['decimal', 'decimal-string', 'integer', 'integer-string'],
    });
  });

  it('addresses fields of the items of a top-level array as $[*].field', () => {
    const shape = shapeOf([{ id: 1 }, { id: 2 }]);
    expect(Object.keys(shape)).toEqual(['$', '$[*]', '$[*].id']);
    expect(shape['$[*].id']).toEqual({ types: ['number'], formats: ['integer'] });
  });

  it('uses bracket paths for keys that are not plain identifiers', () => {
    const shape = shapeOf({ 'a.b': 1, 'with space': { inner: true } });
    expect(Object.keys(shape)).toEqual(['$', "$['a.b']", "$['with space']", "$['with space'].inner"]);
  });

  it('treats __proto__ and constructor keys as ordinary paths and pollutes nothing', () => {
    const body: unknown = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "items": [{"__proto__": {"polluted": 1}}]}',
    );
    const shape = shapeOf(body);
    expect(Object.keys(shape)).toEqual([
      '$',
      '$.__proto__',
      '$.__proto__.polluted',
      '$.constructor',
      '$.constructor.prototype',
      '$.constructor.prototype.polluted',
      '$.items',
      '$.items[*]',
      '$.items[*].__proto__',
      '$.items[*].__proto__.polluted',
    ]);
    expect(shape['$.__proto__.polluted']).toEqual({ types: ['boolean'] });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>)['polluted']).toBeUndefined();

    const back = parseShape(serializeShape(shape));
    expect(back).toEqual(shape);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reads a hostile serialized shape without polluting any prototype', () => {
    const shape = parseShape('{"__proto__": {"types": ["string"], "polluted": true}}');
    expect(Object.keys(shape)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('does not throw on 100,000 nested arrays and stops describing at MAX_SHAPE_DEPTH', () => {
    const body: unknown = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    const shape = shapeOf(body);
    const paths = Object.keys(shape);
    expect(paths).toHaveLength(MAX_SHAPE_DEPTH + 1);
    const deepest = ROOT_PATH + '[*]'.repeat(MAX_SHAPE_DEPTH);
    expect(shape[deepest]).toEqual({ types: ['array'] });
    expect(shape[deepest + '[*]']).toBeUndefined();
  });

  it('does not throw on 100,000 nested objects', () => {
    const body: unknown = JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
    const shape = shapeOf(body);
    expect(Object.keys(shape)).toHaveLength(MAX_SHAPE_DEPTH + 1);
    expect(shape[ROOT_PATH + '.a'.repeat(MAX_SHAPE_DEPTH)]).toEqual({ types: ['object'] });
  });

  it('caps a map-like object with 20,000 keys at MAX_SHAPE_PATHS paths', () => {
    const body: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) body[`key${i}`] = i;
    const shape = shapeOf(body);
    expect(Object.keys(shape)).toHaveLength(MAX_SHAPE_PATHS);
    expect(shape['$']).toEqual({ types: ['object'] });
  });
});

describe('serializeShape and parseShape', () => {
  it('give identical text for bodies with the same structure but other values and key order', () => {
    const first = {
      id: 1,
      name: 'Ada',
      items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }],
      meta: { created: '2024-01-01', next: null },
    };
    const second = {
      meta: { next: null, created: '2023-12-31' },
      items: [{ qty: 9, sku: 'Z' }],
      name: 'Grace',
      id: 99,
    };
    expect(serializeShape(shapeOf(first))).toBe(serializeShape(shapeOf(second)));
  });

  it('give different text for bodies with a different structure', () => {
    expect(serializeShape(shapeOf({ id: 1 }))).not.toBe(serializeShape(shapeOf({ id: '1' })));
    expect(serializeShape(shapeOf([{ a: 1 }, { a: 2 }]))).not.toBe(serializeShape(shapeOf([{ a: 1 }, {}])));
  });

  it('sorts the paths of a hand-built shape', () => {
    const shape: BodyShape = { '$.b': { types: ['string'] }, $: { types: ['object'] }, '$.a': { types: ['number'] } };
    expect(serializeShape(shape)).toBe(
      '{"$":{"types":["object"]},"$.a":{"types":["number"]},"$.b":{"types":["string"]}}',
    );
  });

  it('reads back exactly what was serialized', () => {
    const shape = shapeOf({ items: [{ id: 'x', at: '2024-01-01T00:00:00Z' }, { id: 'y', extra: [] }], 'odd key': null });
    expect(parseShape(serializeShape(shape))).toEqual(shape);
  });
});

describe('shape properties', () => {
  it('shapeOf never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shape = shapeOf(value);
        expect(shape['$']).toBeDefined();
      }),
    );
  });

  it('serializeShape is stable and round-trips through parseShape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shape = shapeOf(value);
        const text = serializeShape(shape);
        expect(serializeShape(shapeOf(JSON.parse(JSON.stringify(value))))).toBe(text);
        expect(serializeShape(parseShape(text))).toBe(text);
        expect(parseShape(text)).toEqual(shape);
      }),
    );
  });

  it('the shape of a value equals the shape of the same value with every array reversed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(serializeShape(shapeOf(reverseArrays(value)))).toBe(serializeShape(shapeOf(value)));
      }),
    );
  });
});

describe('ShapeCache', () => {
  const answer = (id: number, created: string) => ({ id, created, items: [{ sku: `SKU-${id}`, qty: id }, { sku: 'SKU-2', qty: 1, note: null }] });

  it('gives the same shape object to bodies of one structure with different values', () => {
    const cache = new ShapeCache();
    const first = shapeOf(answer(1, '2026-12-02T09:00:00Z'), cache);
    const second = shapeOf(answer(2, '2026-12-02T09:00:01Z'), cache);
    expect(second).toBe(first);
    expect(plain(first)).toEqual(plain(shapeOf(answer(1, '2026-12-02T09:00:00Z'))));
  });

  it('tells apart structures that differ only in a type, a format, a partial field or nesting', () => {
    const cache = new ShapeCache();
    const bodies = [
      { id: 1, created: '2026-12-02T09:00:00Z' },
      { id: '1', created: '2026-12-02T09:00:00Z' },
      { id: 1, created: 'yesterday' },
      { id: 1, created: null },
      { list: [{ a: 1 }, { a: 2 }] },
      { list: [{ a: 1 }, {}] },
      { list: [{ a: { b: 1 } }] },
      { list: { a: 1 } },
      { 'a\u0000b': 1 },
      { a: 1, b: 1 },
      { ab: 1 },
    ];
    const shapes = bodies.map((body) => shapeOf(body, cache));
    expect(new Set(shapes).size).toBe(bodies.length);
    bodies.forEach((body, index) => expect(plain(shapes[index]!)).toEqual(plain(shapeOf(body))));
  });

  it('agrees with the uncached shape on any JSON value, asked twice', () => {
    const cache = new ShapeCache(8);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = serializeShape(shapeOf(value));
        expect(serializeShape(shapeOf(value, cache))).toBe(expected);
        expect(serializeShape(shapeOf(JSON.parse(JSON.stringify(value)), cache))).toBe(expected);
      }),
    );
  });
});

describe('shapeOfUnflagged', () => {
  const none: ValueInspector = { key: () => false, string: () => false, number: () => false };

  it('is the shape when nothing is flagged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(serializeShape(shapeOfUnflagged(value, none)!)).toBe(serializeShape(shapeOf(value)));
      }),
    );
  });

  it('is undefined as soon as a key, a string or a number anywhere is flagged', () => {
    const body = { user: { name: 'Ada', tokens: [{ value: 'sk_live_x', uses: 4242424242424242 }] } };
    expect(shapeOfUnflagged(body, { ...none, key: (name) => name === 'value' })).toBeUndefined();
    expect(shapeOfUnflagged(body, { ...none, string: (text) => text.startsWith('sk_') })).toBeUndefined();
    expect(shapeOfUnflagged(body, { ...none, number: (n) => n > 1e12 })).toBeUndefined();
    expect(shapeOfUnflagged(body, { ...none, string: (text) => text === 'Grace' })).toBeDefined();
  });

  it('is undefined when the walk would leave part of the body unseen, so that nothing escapes inspection', () => {
    let deep: unknown = { secret: 'x' };
    for (let i = 0; i < MAX_SHAPE_DEPTH + 2; i++) deep = { next: deep };
    expect(shapeOfUnflagged(deep, none)).toBeUndefined();
    let deepArray: unknown = ['x'];
    for (let i = 0; i < MAX_SHAPE_DEPTH + 2; i++) deepArray = [deepArray];
    expect(shapeOfUnflagged(deepArray, none)).toBeUndefined();
    const wide = Object.fromEntries(Array.from({ length: MAX_SHAPE_PATHS + 10 }, (_, i) => [`k${i}`, i]));
    expect(shapeOfUnflagged(wide, none)).toBeUndefined();
  });
});
