import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchedWriter } from '../../../src/store/batched-writer.js';

/** A sink that keeps every batch it is given, in order. */
function arraySink<T>(): { batches: T[][]; sink: (batch: readonly T[]) => void; items: () => T[] } {
  const batches: T[][] = [];
  return {
    batches,
    sink: (batch) => {
      batches.push([...batch]);
    },
    items: () => batches.flat(),
  };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('BatchedWriter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('grouping', () => {
    it('writes a batch as soon as it holds maxItems items', () => {
      const { batches, sink } = arraySink<number>();
      const writer = new BatchedWriter(sink, { maxItems: 3, intervalMs: 60_000 });
      for (const item of range(0, 7)) writer.add(item);
      expect(batches).toEqual([
        [0, 1, 2],
        [3, 4, 5],
      ]);
      expect(writer.stats).toEqual({ written: 6, pending: 1, lost: 0, lastError: null });
      return writer.flush();
    });

    it('caps a batch by maxBytes as measured by sizeOf', () => {
      const { batches, sink } = arraySink<string>();
      const writer = new BatchedWriter(sink, { maxItems: 100, maxBytes: 10, intervalMs: 60_000, sizeOf: (item) => item.length });
      writer.add('aaaa');
      writer.add('bbbb');
      expect(batches).toEqual([]);
      writer.add('cccc'); // 12 bytes queued: the first two fit in 10
      expect(batches).toEqual([['aaaa', 'bbbb']]);
      expect(writer.stats.pending).toBe(1);
      return writer.flush();
    });

    it('writes an item larger than maxBytes alone', async () => {
      const { batches, sink } = arraySink<string>();
      const writer = new BatchedWriter(sink, { maxBytes: 10, intervalMs: 60_000, sizeOf: (item) => item.length });
      writer.add('aa');
      writer.add('x'.repeat(25));
      writer.add('bb');
      expect(batches).toEqual([['aa'], ['x'.repeat(25)]]);
      await writer.flush();
      expect(batches).toEqual([['aa'], ['x'.repeat(25)], ['bb']]);
    });

    it('splits what is queued by maxBytes on flush', async () => {
      const { batches, sink } = arraySink<string>();
      const writer = new BatchedWriter(sink, { maxBytes: 10, intervalMs: 60_000, sizeOf: (item) => item.length });
      for (const item of ['aaa', 'bbb', 'ccc']) writer.add(item); // 9 bytes: under the cap
      expect(batches).toEqual([]);
      await writer.flush();
      expect(batches).toEqual([['aaa', 'bbb', 'ccc']]);
    });
  });

  describe('the interval', () => {
    it('writes a partial batch after intervalMs', async () => {
      const { batches, sink } = arraySink<number>();
      const writer = new BatchedWriter(sink, { maxItems: 100, intervalMs: 20 });
      writer.add(1);
      writer.add(2);
      expect(batches).toEqual([]);
      await delay(80);
      expect(batches).toEqual([[1, 2]]);
      expect(writer.stats).toEqual({ written: 2, pending: 0, lost: 0, lastError: null });
    });

    it('counts the interval from the oldest queued item', () => {
      vi.useFakeTimers();
      const { batches, sink } = arraySink<number>();
      const writer = new BatchedWriter(sink, { intervalMs: 100 });
      writer.add(1);
      vi.advanceTimersByTime(60);
      writer.add(2);
      vi.advanceTimersByTime(39);
      expect(batches).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(batches).toEqual([[1, 2]]);
      writer.add(3);
      vi.advanceTimersByTime(100);
      expect(batches).toEqual([[1, 2], [3]]);
    });

    it('writes the rest of a queue after a full batch within the interval', () => {
      vi.useFakeTimers();
      const { batches, sink } = arraySink<number>();
      const writer = new BatchedWriter(sink, { maxItems: 2, intervalMs: 50 });
      for (const item of range(0, 3)) writer.add(item);
      expect(batches).toEqual([[0, 1]]);
      vi.advanceTimersByTime(50);
      expect(batches).toEqual([[0, 1], [2]]);
      vi.advanceTimersByTime(1000);
      expect(batches).toHaveLength(2);
    });
  });

  describe('flush', () => {
    it('writes a partial batch at once', async () => {
      const { batches, sink } = arraySink<number>();
      const writer = new BatchedWriter(sink, { maxItems: 3, intervalMs: 60_000 });
      writer.add(0);
      writer.add(1);
      expect(batches).toEqual([]);
      const stats = await writer.flush();
      expect(batches).toEqual([[0, 1]]);
      expect(stats).toEqual({ written: 2, pending: 0, lost: 0, lastError: null });
    });

    it('writes everything queued behind a failed batch in batches of at most maxItems', async () => {
      const batches: number[][] = [];
      let failures = 1;
      const writer = new BatchedWriter<number>(
        (batch) => {
          if (failures-- > 0) throw new Error('database is locked');
          batches.push([...batch]);
        },
        { maxItems: 3, intervalMs: 60_000, retryDelayMs: 60_000 },
      );
      for (const item of range(0, 8)) writer.add(item); // the first batch fails; the rest waits behind it
      expect(writer.stats).toMatchObject({ written: 0, pending: 8, lastError: 'database is locked' });
      const stats = await writer.flush();
      expect(batches).toEqual([
        [0, 1, 2],
        [3, 4, 5],
        [6, 7],
      ]);
      expect(stats).toEqual({ written: 8, pending: 0, lost: 0, lastError: null });
    });

    it('resolves at once when nothing is queued', async () => {
      const { batches, sink } = arraySink<number>();
      const writer = new BatchedWriter(sink);
      expect(await writer.flush()).toEqual({ written: 0, pending: 0, lost: 0, lastError: null });
      expect(batches).toEqual([]);
    });

    it('cancels the interval so that nothing is written twice', async () => {
      const { batches, sink, items } = arraySink<number>();
      const writer = new BatchedWriter(sink, { intervalMs: 10 });
      writer.add(1);
      await writer.flush();
      await delay(40);
      expect(batches).toEqual([[1]]);
      expect(items()).toEqual([1]);
    });

    it('retries a failing batch until it is written', async () => {
      const batches: number[][] = [];
      let failures = 2;
      const writer = new BatchedWriter<number>(
        (batch) => {
          if (failures-- > 0) throw new Error('database is locked');
          batches.push([...batch]);
        },
        { intervalMs: 60_000, retryDelayMs: 5 },
      );
      writer.add(1);
      writer.add(2);
      const stats = await writer.flush();
      expect(batches).toEqual([[1, 2]]);
      expect(stats).toEqual({ written: 2, pending: 0, lost: 0, lastError: null });
    });

    it('gives up a batch that always fails after giveUpAfterMs and writes the rest', async () => {
      const batches: string[][] = [];
      const writer = new BatchedWriter<string>(
        (batch) => {
          if (batch.includes('poison')) throw new Error('SQLITE_FULL: database or disk is full');
          batches.push([...batch]);
        },
        { maxItems: 2, intervalMs: 60_000, retryDelayMs: 5, giveUpAfterMs: 40 },
      );
      writer.add('ok-1');
      writer.add('ok-2');
      writer.add('poison');
      writer.add('ok-3'); // fills [poison, ok-3]: it fails now and is retried
      writer.add('ok-4');
      const started = performance.now();
      const stats = await writer.flush();
      expect(performance.now() - started).toBeGreaterThanOrEqual(35);
      expect(performance.now() - started).toBeLessThan(500);
      expect(batches).toEqual([['ok-1', 'ok-2'], ['ok-4']]);
      expect(stats).toMatchObject({ written: 3, pending: 0, lost: 2 });
    });
  });

  describe('retries', () => {
    it('retries a sink that throws for its first calls, with back-off, losing nothing and keeping the order', async () => {
      vi.useFakeTimers();
      const batches: number[][] = [];
      const callTimes: number[] = [];
      const attempts: number[] = [];
      let failures = 3;
      const started = Date.now();
      const writer = new BatchedWriter<number>(
        (batch) => {
          callTimes.push(Date.now() - started);
          if (failures-- > 0) throw new Error('database is locked');
          batches.push([...batch]);
        },
        { maxItems: 2, intervalMs: 1000, retryDelayMs: 10, onError: (_error, attempt) => attempts.push(attempt) },
      );
      writer.add(0);
      writer.add(1); // full: fails at once
      expect(writer.stats).toEqual({ written: 0, pending: 2, lost: 0, lastError: 'database is locked' });
      for (const item of range(2, 7)) writer.add(item); // queued behind the failing batch, no write attempted
      expect(callTimes).toEqual([0]);
      await vi.advanceTimersByTimeAsync(10); // 1st retry: fails
      await vi.advanceTimersByTimeAsync(20); // 2nd retry: fails
      expect(callTimes).toEqual([0, 10, 30]);
      await vi.advanceTimersByTimeAsync(39);
      expect(batches).toEqual([]);
      await vi.advanceTimersByTimeAsync(1); // 3rd retry after 40 ms: succeeds, and the queue drains
      expect(callTimes.slice(0, 4)).toEqual([0, 10, 30, 70]);
      expect(attempts).toEqual([1, 2, 3]);
      expect(batches).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
      expect(writer.stats).toEqual({ written: 7, pending: 0, lost: 0, lastError: null });
    });

    it('caps the back-off at 2 seconds', async () => {
      vi.useFakeTimers();
      const callTimes: number[] = [];
      let failures = 8;
      const started = Date.now();
      const writer = new BatchedWriter<number>(
        () => {
          callTimes.push(Date.now() - started);
          if (failures-- > 0) throw new Error('database is locked');
        },
        { intervalMs: 10, retryDelayMs: 100, giveUpAfterMs: 60_000 },
      );
      writer.add(1);
      await vi.advanceTimersByTimeAsync(20_000);
      const gaps = callTimes.slice(1).map((time, i) => time - callTimes[i]!);
      expect(gaps).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
      expect(writer.stats).toMatchObject({ written: 1, lost: 0 });
    });

    it('gives up a batch that always fails after giveUpAfterMs, counts it lost and still writes later batches', async () => {
      vi.useFakeTimers();
      const batches: string[][] = [];
      const writer = new BatchedWriter<string>(
        (batch) => {
          if (batch.includes('poison')) throw new Error('SQLITE_CONSTRAINT: NOT NULL constraint failed');
          batches.push([...batch]);
        },
        { maxItems: 2, intervalMs: 50, retryDelayMs: 10, giveUpAfterMs: 100 },
      );
      writer.add('poison');
      writer.add('bad-company'); // full: fails at t=0
      writer.add('later-1');
      await vi.advanceTimersByTimeAsync(70); // retries at 10, 30, 70: still failing
      expect(writer.stats).toEqual({
        written: 0,
        pending: 3,
        lost: 0,
        lastError: 'SQLITE_CONSTRAINT: NOT NULL constraint failed',
      });
      await vi.advanceTimersByTimeAsync(80); // retry at 150: failing for 150 ms ≥ 100, given up
      expect(batches).toEqual([['later-1']]);
      expect(writer.stats).toEqual({ written: 1, pending: 0, lost: 2, lastError: null });

      writer.add('later-2');
      writer.add('later-3');
      expect(batches).toEqual([['later-1'], ['later-2', 'later-3']]);
      writer.add('poison');
      await vi.advanceTimersByTimeAsync(1000);
      expect(writer.stats).toMatchObject({ written: 3, pending: 0, lost: 3 });
    });

    it('reports every failure to onError with its attempt number', async () => {
      vi.useFakeTimers();
      const seen: Array<[string, number]> = [];
      const writer = new BatchedWriter<number>(
        () => {
          throw new Error('disk I/O error');
        },
        {
          intervalMs: 5,
          retryDelayMs: 10,
          giveUpAfterMs: 25,
          onError: (error, attempt) => seen.push([(error as Error).message, attempt]),
        },
      );
      writer.add(1);
      await vi.advanceTimersByTimeAsync(5 + 10 + 20);
      // Fails at 5, 15 and 35; at 35 it has failed for 30 ms and is given up.
      expect(seen).toEqual([
        ['disk I/O error', 1],
        ['disk I/O error', 2],
        ['disk I/O error', 3],
      ]);
      expect(writer.stats).toEqual({ written: 0, pending: 0, lost: 1, lastError: 'disk I/O error' });
    });
  });
});
