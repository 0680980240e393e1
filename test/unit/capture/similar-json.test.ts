import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/capture/redactor.js';
import { changesOnlyValues, RecentBodies } from '../../../src/capture/similar-json.js';
import { shapeOfUnflagged, type BodyShape } from '../../../src/model/shape.js';
import { realJsonBodies } from '../../support/fixture-samples.js';

const redactor = new Redactor();
const inspector = redactor.inspector;
const bytes = (text: string): Buffer => Buffer.from(text);

/** A list page of `items` products, as the benchmark upstream answers, with an id and a time of its own. */
function page(id: string, createdAt: string, items = 40, extra: Record<string, unknown> = {}): string {
  const list = Array.from({ length: items }, (_, i) => ({ sku: `SKU-${100000 + i}`, name: `widget number ${i}`, price: 1000 + i, in_stock: i % 3 !== 0 }));
  return JSON.stringify({ id, created_at: createdAt, ...extra, object: 'list', items: list });
}

/** What the full path concludes: the shape when nothing is flagged, undefined otherwise (or when it is not JSON). */
function fullPath(text: string): BodyShape | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return shapeOfUnflagged(value, inspector);
}

describe('changesOnlyValues', () => {
  const before = page('req_1', '2026-12-02T10:00:00.000Z');

  it('says yes for a body whose id and time changed, and for the same body', () => {
    expect(changesOnlyValues(bytes(before), bytes(page('req_2', '2026-12-02T10:00:00.001Z')), inspector)).toBe(true);
    expect(changesOnlyValues(bytes(before), bytes(page('req_123456', '2026-12-02T11:59:59.999Z')), inspector)).toBe(true);
    expect(changesOnlyValues(bytes(before), bytes(before), inspector)).toBe(true);
  });

  it('says yes for numbers that stay integers, booleans that flip, changes at the very start and end', () => {
    const a = JSON.stringify({ count: 10, more: true, items: Array.from({ length: 50 }, (_, i) => ({ n: i })), total: 7 });
    expect(changesOnlyValues(bytes(a), bytes(a.replace('"count":10', '"count":1234').replace('"more":true', '"more":false')), inspector)).toBe(true);
    expect(changesOnlyValues(bytes(a), bytes(a.replace('"total":7', '"total":98765')), inspector)).toBe(true);
    const list = JSON.stringify([17, ...Array.from({ length: 50 }, (_, i) => `item ${i}`), 3]);
    expect(changesOnlyValues(bytes(list), bytes(list.replace(/^\[17/, '[4').replace(/,3\]$/, ',2]')), inspector)).toBe(true);
  });

  it('says no when the structure changes: a key renamed, a field added, a type or a format changed', () => {
    const renamed = before.replace('"created_at"', '"createdAt"');
    const added = before.replace('"id":"req_1"', '"id":"req_1","livemode":false');
    const typed = before.replace('"id":"req_1"', '"id":17');
    const nulled = before.replace('"id":"req_1"', '"id":null');
    const formatted = before.replace('"2026-12-02T10:00:00.000Z"', '"yesterday"');
    const decimal = before.replace('"price":1000', '"price":10.5');
    for (const after of [renamed, added, typed, nulled, formatted, decimal]) {
      expect(after).not.toBe(before);
      expect(changesOnlyValues(bytes(before), bytes(after), inspector)).toBe(false);
    }
  });

  it('says no when a changed value holds a secret', () => {
    const key = ['sk', 'live', '4eC39HqLyjWDarjtT1zdp7dc'].join('_');
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(changesOnlyValues(bytes(before), bytes(page(key, '2026-12-02T10:00:00.000Z')), inspector)).toBe(false);
    expect(changesOnlyValues(bytes(before), bytes(page(jwt, '2026-12-02T10:00:00.000Z')), inspector)).toBe(false);
    const numbers = JSON.stringify({ n: 1, items: Array.from({ length: 50 }, (_, i) => i) });
    expect(changesOnlyValues(bytes(numbers), bytes(numbers.replace('"n":1', '"n":4242424242424242')), inspector)).toBe(false);
  });

  it('says no when the new body is not JSON there', () => {
    for (const broken of [
      before.replace('"id":"req_1"', '"id":"req_1'),
      before.replace('"id":"req_1"', '"id":"req\u0001"'),
      before.replace('"id":"req_1"', '"id":"req\\q"'),
      before.replace('"price":1000', '"price":01000'),
      before.replace('"in_stock":true', '"in_stock":ture'),
      before.replace('"price":1000,', '"price":1000'),
      before.slice(0, -1),
    ]) {
      expect(changesOnlyValues(bytes(before), bytes(broken), inspector)).toBe(false);
    }
  });

  it('reads strings with escaped quotes and backslashes where the difference starts', () => {
    const a = JSON.stringify({ note: 'say "hi" \\ there', id: 'a1', rest: Array.from({ length: 40 }, (_, i) => `r${i}`) });
    expect(changesOnlyValues(bytes(a), bytes(a.replace('there', 'where')), inspector)).toBe(true);
    expect(changesOnlyValues(bytes(a), bytes(a.replace('"id":"a1"', '"id":"b2"')), inspector)).toBe(true);
    // A quote that ends the string early turns the rest into something else.
    expect(changesOnlyValues(bytes(a), bytes(a.replace('there"', 'there"",')), inspector)).toBe(false);
  });

  it('says no when the difference spreads over much of the body', () => {
    const a = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: `a${i}` })));
    const b = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: `bbbbbbbbbbbb${i}` })));
    expect(changesOnlyValues(bytes(a), bytes(b), inspector)).toBe(false);
  });

  it('never says yes where the full path would see another shape, a secret or no JSON', () => {
    // A body to change, padded so that a change in its first part is a small part of the whole.
    const padding = Array.from({ length: 60 }, (_, i) => ({ k: `value ${i}`, n: i }));
    const edit = fc.oneof(
      // Text spliced in anywhere in the first part: punctuation, quotes, escapes, numbers, words.
      fc.record({ at: fc.nat(), cut: fc.nat({ max: 6 }), text: fc.stringMatching(/^[\s"\\{}[\]:,0-9a-z.eE+-]{0,8}$/) }),
      // A leaf replaced by any JSON value.
      fc.record({ at: fc.nat(), cut: fc.constant(-1), text: fc.jsonValue({ maxDepth: 1 }).map((value) => JSON.stringify(value) ?? 'null') }),
    );
    let yes = 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (value, edits) => {
        const text = JSON.stringify({ data: value, padding });
        if (fullPath(text) === undefined) return; // only clean bodies are ever compared with
        const firstPart = text.indexOf('"padding"');
        let after = text;
        for (const { at, cut, text: inserted } of edits) {
          const position = at % firstPart;
          if (cut >= 0) after = after.slice(0, position) + inserted + after.slice(position + cut);
          else {
            // Replace the scalar that starts at or after `position`, if any.
            const match = /(?<=[:,[])(?:"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)(?=[,\]}])/.exec(after.slice(position, firstPart));
            if (match) after = after.slice(0, position + match.index) + inserted + after.slice(position + match.index + match[0].length);
          }
        }
        if (after !== text && changesOnlyValues(bytes(text), bytes(after), inspector)) {
          yes += 1;
          expect(fullPath(after)).toEqual(fullPath(text));
        }
      }),
      { numRuns: 3000 },
    );
    // Edits that keep the shape come up too: the yes side is tested, not only the no side.
    expect(yes).toBeGreaterThan(20);
  });

  it('agrees with the full path on every JSON body of the real fixture files, each with one value changed', () => {
    // Each clean body as its text: as the fixture wrote it when it is JSON text, re-serialised otherwise.
    const bodies = realJsonBodies()
      .map((body) => body.text ?? JSON.stringify(body.value))
      .filter((text) => fullPath(text) !== undefined);
    expect(bodies.length).toBeGreaterThan(1000);
    let yes = 0;
    let tried = 0;
    // A digit changed (the last one), or else a letter: as a new id or a new time changes a value.
    const changeOne = (text: string): string => {
      const digit = text.search(/\d(?=\D*$)/);
      if (digit >= 0) return text.slice(0, digit) + String((Number(text[digit]) + 1) % 10) + text.slice(digit + 1);
      const letter = text.search(/[a-z](?=[^a-z]*$)/);
      return letter < 0 ? text : text.slice(0, letter) + (text[letter] === 'x' ? 'y' : 'x') + text.slice(letter + 1);
    };
    for (const body of bodies) {
      if (Buffer.byteLength(body) < 512) continue;
      // Every string value and number in turn.
      for (const match of body.matchAll(/"(?:[^"\\]|\\.)*"(?!\s*:)|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
        if (tried >= 20_000) break;
        const changed = changeOne(match[0]);
        if (changed === match[0]) continue;
        const after = body.slice(0, match.index) + changed + body.slice(match.index + match[0].length);
        tried += 1;
        if (changesOnlyValues(bytes(body), bytes(after), inspector)) {
          yes += 1;
          expect(fullPath(after)).toEqual(fullPath(body));
        }
      }
    }
    expect(tried).toBeGreaterThan(5000);
    // The cheap path is taken, not only declined. It declines where a changed string is most of
    // the body (base64 uploads, hex-encoded recordings): reading it costs what a parse would.
    expect(yes / tried).toBeGreaterThan(0.35);
  });
});

describe('RecentBodies', () => {
  const shape: BodyShape = { $: { types: ['object'] } };

  it('keeps the last body per key, and forgets the oldest beyond its limits', () => {
    const recent = new RecentBodies(2, 1000);
    recent.set('a', bytes('1'), shape);
    recent.set('b', bytes('2'), shape);
    recent.set('a', bytes('3'), shape);
    recent.set('c', bytes('4'), shape);
    expect(recent.get('a')?.bytes.toString()).toBe('3');
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('c')?.bytes.toString()).toBe('4');
    recent.set('d', Buffer.alloc(100), shape);
    // More than an eighth of the byte limit: not kept, and the key's older body is gone too.
    recent.set('c', Buffer.alloc(200), shape);
    expect(recent.get('c')).toBeUndefined();
    expect(recent.get('d')?.bytes.length).toBe(100);
  });
});
