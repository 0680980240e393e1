import { isScalar, valuesAt } from './values-at.js';

/** How many items or members a structural comparison of two values looks at. */
const MAX_ENTRIES = 500;

/**
 * Whether a value is distinctive enough that finding it under another name is evidence of a
 * rename: not a boolean, not null, not an empty or very short string, not a small integer —
 * `"refund"` or `"2026-04-17T10:00:00Z"` are, `true`, `0` and `""` are everywhere.
 */
export function isDistinctive(value: unknown): boolean {
  if (typeof value === 'string') return value.trim().length >= 3;
  if (typeof value === 'number') return !Number.isInteger(value) || Math.abs(value) >= 1000;
  return false;
}

/** What the recordings say about a fixture value found under another path. */
export interface ValueEvidence {
  /** Some recorded body has, at the new path, a value equal to the fixture's at the old one. */
  readonly same: boolean;
  /** The fixture's value is distinctive (see {@link isDistinctive}) and most recordings that have the new path agree. */
  readonly distinctive: boolean;
}

/**
 * Compares the fixture's values at `fromPath` with the recorded ones at `toPath`. Scalars are
 * compared by value; objects by their keys (the fixture's keys all present), arrays by being
 * arrays: structures rarely carry the same example values in a fixture and a sandbox.
 */
export function valueEvidence(fixtureBody: unknown, fromPath: string, bodies: readonly unknown[], toPath: string): ValueEvidence {
  const expected = valuesAt(fixtureBody, fromPath);
  const scalars = new Set<unknown>(expected.filter((value) => isScalar(value) && value !== null));
  const structures = expected.filter((value) => typeof value === 'object' && value !== null);
  let withPath = 0;
  let agreeing = 0;
  let agreeingDistinctive = 0;
  for (const body of bodies) {
    const recorded = valuesAt(body, toPath);
    if (recorded.length === 0) continue;
    withPath += 1;
    const scalarMatch = recorded.find((value) => isScalar(value) && value !== null && scalars.has(value));
    const structureMatch = scalarMatch === undefined && recorded.some((value) => structures.some((wanted) => sameStructure(wanted, value)));
    if (scalarMatch !== undefined || structureMatch) agreeing += 1;
    if (scalarMatch !== undefined && isDistinctive(scalarMatch)) agreeingDistinctive += 1;
  }
  return { same: agreeing > 0, distinctive: withPath > 0 && agreeingDistinctive * 2 >= withPath };
}

function sameStructure(wanted: unknown, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(wanted) !== Array.isArray(value)) return false;
  if (Array.isArray(wanted)) return true;
  const keys = Object.keys(wanted as object);
  if (keys.length === 0 || keys.length > MAX_ENTRIES) return false;
  return keys.every((key) => Object.hasOwn(value, key));
}
