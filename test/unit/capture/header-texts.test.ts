import { describe, expect, it } from 'vitest';
import { HeaderTexts } from '../../../src/capture/header-texts.js';

describe('HeaderTexts', () => {
  it('gives one frozen map per distinct text, with the values as sent', () => {
    const texts = new HeaderTexts();
    const text = JSON.stringify({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
    const first = texts.get(text);
    expect(first).toEqual({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
    expect(Object.isFrozen(first)).toBe(true);
    // A copy of the text (as every message brings) finds the same map.
    expect(texts.get(`${text} `.trimEnd())).toBe(first);
    expect(texts.get(JSON.stringify({ 'content-type': 'text/plain' }))).not.toBe(first);
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
    }
    // Long texts are read every time: equal, not remembered.
    const long = JSON.stringify({ cookie: 'c'.repeat(10_000) });
    expect(texts.get(long)).toEqual(texts.get(long));
    expect(texts.get(long)).not.toBe(texts.get(long));
  });
});
