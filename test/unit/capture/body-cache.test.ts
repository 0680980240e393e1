import { describe, expect, it } from 'vitest';
import { BodyCache, type PreparedBody } from '../../../src/capture/body-cache.js';

const body = (size: number, content = 'x'.repeat(size)): PreparedBody => ({ body: { content, size, truncated: false, hash: `h${size}` }, shape: null });

describe('BodyCache', () => {
  it('returns what was put under a key, and nothing for other keys', () => {
    const cache = new BodyCache();
    const entry = body(10);
    cache.set('a', entry);
    expect(cache.get('a')).toBe(entry);
    expect(cache.get('b')).toBeUndefined();
  });

  it('drops the least recently used entry first when full', () => {
    const cache = new BodyCache({ maxEntries: 2 });
    cache.set('a', body(1));
    cache.set('b', body(2));
    cache.get('a'); // a is now the most recently used
    cache.set('c', body(3));
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('keeps its content under the byte budget', () => {
    const cache = new BodyCache({ maxBytes: 100 });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, body(20));
    const kept = Array.from({ length: 10 }, (_, i) => cache.get(`k${i}`)).filter(Boolean);
    expect(kept.length).toBeLessThanOrEqual(5);
    expect(cache.get('k9')).toBeDefined();
  });

  it('does not keep a body larger than a quarter of its budget', () => {
    const cache = new BodyCache({ maxBytes: 100 });
    cache.set('small', body(10));
    cache.set('huge', body(60));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
  });

  it('answers a key that names a sample of the bytes only for exactly the bytes the body was prepared from', () => {
    const cache = new BodyCache();
    const raw = new TextEncoder().encode('{"id":1,"items":[1,2,3]}');
    const entry = body(10);
    cache.set('sample', entry, raw);
    // The caller's buffer may be reused or moved away: the cache compares with its own copy.
    const same = new Uint8Array(raw);
    raw.fill(0);
    expect(cache.get('sample', same)).toBe(entry);
    const differentInTheMiddle = new TextEncoder().encode('{"id":1,"items":[1,9,3]}');
    expect(cache.get('sample', differentInTheMiddle)).toBeUndefined();
    expect(cache.get('sample', same.subarray(1))).toBeUndefined();
  });

  it('counts the kept bytes of a sampled entry against its budget', () => {
    const cache = new BodyCache({ maxBytes: 400 });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, body(10), new Uint8Array(90));
    const kept = Array.from({ length: 10 }, (_, i) => cache.get(`k${i}`, new Uint8Array(90))).filter(Boolean);
    expect(kept.length).toBe(4);
  });
});
