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

  it('knows the last body of a slot again by its bytes, under the same variant only, from a copy of them', () => {
    const cache = new BodyCache();
    const prepared = body(20);
    const arena = Buffer.from('..{"id":1,"name":"a"}..');
    const raw = arena.subarray(2, arena.length - 2);
    expect(cache.repeat('GET /items/:id 200', 'json', raw)).toBeUndefined();
    cache.noteRepeat('GET /items/:id 200', 'json', raw, prepared);
    expect(cache.repeat('GET /items/:id 200', 'json', Buffer.from('{"id":1,"name":"a"}'))).toBe(prepared);
    // Other bytes, another variant (a coding, a media type) or another slot: not this body.
    expect(cache.repeat('GET /items/:id 200', 'json', Buffer.from('{"id":2,"name":"a"}'))).toBeUndefined();
    expect(cache.repeat('GET /items/:id 200', 'gzip|json', Buffer.from('{"id":1,"name":"a"}'))).toBeUndefined();
    expect(cache.repeat('GET /items/:id 404', 'json', Buffer.from('{"id":1,"name":"a"}'))).toBeUndefined();
    // The bytes were copied: the buffer they came in may be reused.
    arena.fill(0);
    expect(cache.repeat('GET /items/:id 200', 'json', Buffer.from('{"id":1,"name":"a"}'))).toBe(prepared);
    // A newer body of the slot takes its place.
    const newer = body(21);
    cache.noteRepeat('GET /items/:id 200', 'json', Buffer.from('{"id":3,"name":"b"}'), newer);
    expect(cache.repeat('GET /items/:id 200', 'json', Buffer.from('{"id":1,"name":"a"}'))).toBeUndefined();
    expect(cache.repeat('GET /items/:id 200', 'json', Buffer.from('{"id":3,"name":"b"}'))).toBe(newer);
  });

  it('remembers only small bodies for their slot, in a bounded number of slots', () => {
    const cache = new BodyCache();
    const large = new Uint8Array(5000);
    cache.noteRepeat('slot', 'v', large, body(5000));
    expect(cache.repeat('slot', 'v', large)).toBeUndefined();
    // Small on the wire, but large once decoded (a compressed body): not kept either.
    const small = new Uint8Array(100);
    cache.noteRepeat('slot', 'gzip', small, body(100_000));
    expect(cache.repeat('slot', 'gzip', small)).toBeUndefined();
    for (let i = 0; i < 1000; i++) cache.noteRepeat(`slot ${i}`, 'v', Buffer.from(`{"n":${i}}`), body(10));
    const remembered = Array.from({ length: 1000 }, (_, i) => cache.repeat(`slot ${i}`, 'v', Buffer.from(`{"n":${i}}`))).filter(Boolean);
    expect(remembered.length).toBeGreaterThan(0);
    expect(remembered.length).toBeLessThanOrEqual(128);
  });
});
