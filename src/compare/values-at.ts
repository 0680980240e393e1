import { parsePath } from '../model/json-path.js';

/** Every value a body has at `path` (`$.items[*].sku` gives one per item). */
export function valuesAt(body: unknown, path: string): unknown[] {
  const steps = parsePath(path);
  if (!steps) return [];
  let values: unknown[] = [body];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of values) {
      if ('items' in step) {
        if (Array.isArray(value)) next.push(...(value as unknown[]));
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, step.key)) {
        next.push((value as Record<string, unknown>)[step.key]);
      }
    }
    values = next;
  }
  return values;
}

/** Whether a value is a JSON scalar (string, number, boolean, null). */
export function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
