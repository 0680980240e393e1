import { describe, expect, it } from 'vitest';
import { HeaderTexts } from '../../../src/capture/header-texts.js';

describe('HeaderTexts', () => {
  it('gives one frozen map per distinct text from its second time on, with the values as sent', () => {
    const texts = new HeaderTexts();
    const text = JSON.stringify({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
    const once = texts.get(text);
    expect(once).toEqual({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
    // Seen once: read, not remembered (a set that never comes again must not churn the memo).
    expect(Object.isFrozen(once)).toBe(false);
    // A copy of the text (as every message brings) is the second sighting: kept from now on.
    const second = texts.get(`${text} `.trimEnd());
    expect(second).toEqual(once);
    expect(Object.isFrozen(second)).toBe(true);
    expect(texts.get(`${text} `.trimEnd())).toBe(second);
    expect(texts.get(text)).toBe(second);
    expect(texts.get(JSON.stringify({ 'content-type': 'text/plain' }))).not.toBe(second);
  });

  it('keeps a header named __proto__ as an own value, not as the prototype', () => {
    const map = new HeaderTexts().get('{"__proto__":"x","accept":"*/*"}');
    expect(Object.getPrototypeOf(map)).toBeNull();
    expect(Object.keys(map)).toEqual(['__proto__', 'accept']);
    expect(map['__proto__']).toBe('x');
    expect(map['constructor']).toBeUndefined();
  });

  it('stays bounded when every text is new, and still answers each one right', () => {
    const texts = new HeaderTexts();
    for (let n = 0; n < 2000; n++) {
      const map = texts.get(JSON.stringify({ 'x-request-id': `req-${n}` }));
      expect(map['x-request-id']).toBe(`req-${n}`);
      expect(Object.isFrozen(map)).toBe(false);
    }
    // A set that comes again among sets that never do is still remembered.
    const again = JSON.stringify({ accept: '*/*' });
    let kept = texts.get(again);
    for (let n = 0; n < 100; n++) {
      texts.get(JSON.stringify({ 'x-request-id': `again-${n}` }));
      kept = texts.get(again);
    }
    expect(Object.isFrozen(kept)).toBe(true);
    expect(texts.get(again)).toBe(kept);
    // Long texts are read every time: equal, not remembered.
    const long = JSON.stringify({ cookie: 'c'.repeat(10_000) });
    expect(texts.get(long)).toEqual(texts.get(long));
    expect(texts.get(long)).not.toBe(texts.get(long));
  });
});
