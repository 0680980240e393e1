/**
 * Parsers for flag values that yargs leaves as text or lets through as NaN. Each throws an Error
 * whose message names the flag and shows a valid example; yargs turns it into a usage error.
 */
import { durationMs } from '../model/duration.js';

/** `500ms`, `30s`, `5m`, `2h`, `7d`, `1w`, or combinations such as `1h30m`; a bare number is seconds. */
export function parseDuration(flag: string, value: unknown): number {
  const text = String(value).trim();
  const ms = durationMs(text);
  if (ms !== undefined) return ms;
  if (text === '') {
    // `--older-than -5d`: yargs reads "-5d" as short flags and leaves the value empty.
    throw new Error(`--${flag} needs a duration, e.g. 30s, 5m, 2h, 7d or 1h30m (a value starting with "-" is read as a flag; durations cannot be negative)`);
  }
  if (text.startsWith('-') && durationMs(text.slice(1)) !== undefined) {
    throw new Error(`--${flag} "${text}" is not a duration: durations cannot be negative; use e.g. ${text.slice(1)}`);
  }
  throw new Error(`--${flag} "${text}" is not a duration; use e.g. 30s, 5m, 2h, 7d or 1h30m`);
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** `512kb`, `10mb`, `1gb` (binary units), or a number of bytes. */
export function parseSize(flag: string, value: unknown): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(String(value).trim());
  if (!match) throw new Error(`--${flag} "${String(value)}" is not a size; use e.g. 512kb, 10mb or a number of bytes`);
  const bytes = Math.floor(Number(match[1]) * (SIZE_UNITS[(match[2] || 'b').toLowerCase()] ?? 1));
  if (bytes <= 0) throw new Error(`--${flag} must be more than 0 bytes`);
  return bytes;
}

/** A whole number within bounds: yargs's `number` type accepts `abc` as NaN. */
export function parseInteger(flag: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(value).trim();
  const number = Number(text);
  if (text === '' || !Number.isInteger(number) || number < min || number > max) {
    throw new Error(`--${flag} "${text}" must be a whole number from ${min} to ${max}`);
  }
  return number;
}

/** A TCP port; 0 asks the system for a free one. */
export function parsePort(flag: string, value: unknown): number {
  return parseInteger(flag, value, 0, 65535);
}

/** How long ago a duration points to, as ms since the epoch. */
export function since(durationMs: number, now = Date.now()): number {
  return now - durationMs;
}
