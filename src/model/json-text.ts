/**
 * Parsed JSON as text, safely. `String(value)` throws on an object with its own `toString` key
 * (`{"toString": 1}`) and `JSON.stringify` on nesting deeper than the JS stack: values from
 * fixtures, HAR files and recordings may be either, and must not turn into a crash.
 */

/** A value as header or parameter text: strings as they are, other scalars as `String()` writes them, containers as JSON. */
export function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? '[…]' : '{…}'; // nested deeper than JSON.stringify can go
  }
}

/** A value for a message: JSON, at most `max` characters. */
export function previewJson(value: unknown, max = 80): string {
  if (value === undefined) return 'undefined';
  const text = typeof value === 'string' ? JSON.stringify(value.length > max ? value.slice(0, max) : value) : jsonText(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
