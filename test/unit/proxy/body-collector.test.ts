import { describe, expect, it } from 'vitest';
import { BodyCollector } from '../../../src/proxy/body-collector.js';

const KB = 1024;
const chunk = (length: number, fill: string): Buffer => Buffer.alloc(length, fill);

describe('BodyCollector', () => {
  it('returns null when nothing went past, and a single chunk as it came', () => {
    expect(new BodyCollector(KB).take()).toBeNull();
    const collector = new BodyCollector(KB);
    const only = chunk(10, 'a');
    collector.add(only);
    expect(collector.take()).toBe(only);
  });

  it('keeps at most its cap and says the body was truncated', () => {
    const collector = new BodyCollector(15);
    collector.add(chunk(10, 'a'));
    collector.add(chunk(10, 'b'));
    expect(collector.seen).toBe(20);
    expect(collector.truncated).toBe(true);
    expect(Buffer.from(collector.take()!).toString()).toBe('a'.repeat(10) + 'b'.repeat(5));
  });

  it('copies a body of announced length into a buffer of its own, which the capture writer can move', () => {
    const collector = new BodyCollector(KB * KB);
    collector.expect(20 * KB);
    collector.add(chunk(12 * KB, 'a'));
    collector.add(chunk(8 * KB, 'b'));
    const body = collector.take()!;
    expect(body.byteLength).toBe(20 * KB);
    expect(body.buffer.byteLength).toBe(20 * KB);
    expect(Buffer.from(body).toString()).toBe('a'.repeat(12 * KB) + 'b'.repeat(8 * KB));
  });

  it('keeps every byte of a body longer than announced, and what did arrive of a shorter one', () => {
    const longer = new BodyCollector(KB * KB);
    longer.expect(20 * KB);
    longer.add(chunk(16 * KB, 'a'));
    longer.add(chunk(8 * KB, 'b'));
    expect(Buffer.from(longer.take()!).toString()).toBe('a'.repeat(16 * KB) + 'b'.repeat(8 * KB));

    const shorter = new BodyCollector(KB * KB);
    shorter.expect(20 * KB);
    shorter.add(chunk(5 * KB, 'c'));
    expect(Buffer.from(shorter.take()!).toString()).toBe('c'.repeat(5 * KB));
  });

  it('takes no memory up front for an announced body that is small, or larger than it may reserve', () => {
    const small = new BodyCollector(KB * KB);
    small.expect(2 * KB);
    const piece = chunk(2 * KB, 'a');
    small.add(piece);
    expect(small.take()).toBe(piece);
    const huge = new BodyCollector(64 * KB * KB);
    huge.expect(32 * KB * KB);
    const first = chunk(KB, 'h');
    huge.add(first);
    expect(huge.take()).toBe(first);
  });
});
