import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { HeapReserve } from '../../../src/cli/heap-reserve.js';

const largeObjectBytes = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'large_object_space')!.space_used_size;

describe('HeapReserve', () => {
  it('holds its size on the heap as one array of doubles, out of the way of the collector, until released', () => {
    const before = largeObjectBytes();
    const reserve = new HeapReserve(8 * 1024 * 1024);
    expect(reserve.bytes).toBe(8 * 1024 * 1024);
    // One flat object in the large-object space, not boxed numbers spread over the heap.
    expect(largeObjectBytes() - before).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    reserve.release();
    expect(reserve.bytes).toBe(0);
  });
});
