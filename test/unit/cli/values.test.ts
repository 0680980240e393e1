import { describe, it, expect } from 'vitest';
import { parseDuration, parseInteger, parsePort, parseSize, since } from '../../../src/cli/values.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    ['1m30s500ms', 90_500],
    ['1.5h', 5_400_000],
    ['90', 90_000],
    ['0.5', 500],
    [' 30s ', 30_000],
  ])('reads %j as %d milliseconds', (text, ms) => {
    expect(parseDuration('since', text)).toBe(ms);
  });

  it('reads a bare number given as a number as seconds', () => {
    expect(parseDuration('since', 45)).toBe(45_000);
  });

  it.each(['abc', '5x', '30 s', '1h30', 's', '1h-30m', 'ms500'])('rejects %j with a message naming the flag', (text) => {
    expect(() => parseDuration('since', text)).toThrow(/--since ".*" is not a duration; use e\.g\. 30s/);
  });

  it('says a negative duration is not allowed, and which positive one to write instead', () => {
    expect(() => parseDuration('older-than', '-5d')).toThrow('--older-than "-5d" is not a duration: durations cannot be negative; use e.g. 5d');
  });

  it('says an empty duration needs a value, and that a value starting with "-" is read as a flag', () => {
    expect(() => parseDuration('older-than', '')).toThrow(/--older-than needs a duration, e\.g\. 30s.*read as a flag/);
  });

  it('rejects undefined and NaN', () => {
    expect(() => parseDuration('timeout', undefined)).toThrow('--timeout');
    expect(() => parseDuration('timeout', Number.NaN)).toThrow('--timeout');
  });
});

describe('parseSize', () => {
  it.each([
    ['512kb', 512 * 1024],
    ['10mb', 10 * 1024 ** 2],
    ['1gb', 1024 ** 3],
    ['1024', 1024],
    ['10 MB', 10 * 1024 ** 2],
    ['10Mb', 10 * 1024 ** 2],
    ['2K', 2048],
    ['3m', 3 * 1024 ** 2],
    ['100b', 100],
    ['1.5kb', 1536],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize('max-body', text)).toBe(bytes);
  });

  it('reads a number as bytes', () => {
    expect(parseSize('max-body', 4096)).toBe(4096);
  });

  it('rejects 0 because a size must be more than 0 bytes', () => {
    expect(() => parseSize('max-body', '0')).toThrow('--max-body must be more than 0 bytes');
    expect(() => parseSize('max-body', '0kb')).toThrow('--max-body must be more than 0 bytes');
  });

  it('rejects a fraction that rounds down to 0 bytes', () => {
    expect(() => parseSize('max-body', '0.1')).toThrow('--max-body must be more than 0 bytes');
  });

  it.each(['abc', '-5mb', '', '10tb', '10 m b', 'mb'])('rejects %j with a message naming the flag', (text) => {
    expect(() => parseSize('max-body', text)).toThrow(/--max-body ".*" is not a size; use e\.g\. 512kb/);
  });
});

describe('parseInteger and parsePort', () => {
  it.each(['abc', '1.5', '', '   ', 'NaN', 'Infinity'])('parseInteger rejects %j with a message naming the flag', (text) => {
    expect(() => parseInteger('limit', text, 1)).toThrow(/--limit ".*" must be a whole number from 1 to /);
  });

  it('parseInteger rejects NaN itself, as yargs passes it for a number flag given text', () => {
    expect(() => parseInteger('limit', Number.NaN, 1)).toThrow('--limit "NaN" must be a whole number');
  });

  it('parseInteger enforces both bounds', () => {
    expect(() => parseInteger('limit', '0', 1, 10)).toThrow('--limit "0" must be a whole number from 1 to 10');
    expect(() => parseInteger('limit', '11', 1, 10)).toThrow('--limit "11" must be a whole number from 1 to 10');
    expect(parseInteger('limit', '1', 1, 10)).toBe(1);
    expect(parseInteger('limit', '10', 1, 10)).toBe(10);
  });

  it('parseInteger accepts whole numbers given as text or as numbers', () => {
    expect(parseInteger('limit', ' 25 ', 0)).toBe(25);
    expect(parseInteger('limit', 25, 0)).toBe(25);
  });

  it.each(['abc', '1.5', '', '65536', '-1'])('parsePort rejects %j with a message naming the flag', (text) => {
    expect(() => parsePort('port', text)).toThrow(/--port ".*" must be a whole number from 0 to 65535/);
  });

  it.each([
    ['0', 0],
    ['8080', 8080],
    ['65535', 65535],
    [3000, 3000],
  ] as const)('parsePort accepts %j', (text, port) => {
    expect(parsePort('port', text)).toBe(port);
  });
});

describe('since', () => {
  it('points the given duration before now', () => {
    expect(since(60_000, 1_000_000)).toBe(940_000);
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const result = since(1000);
    expect(result).toBeGreaterThanOrEqual(before - 1000);
    expect(result).toBeLessThanOrEqual(Date.now() - 1000);
  });
});
