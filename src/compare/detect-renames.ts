import type { FieldCandidate } from './diff-shape.js';
import { valueEvidence } from './field-values.js';
import { nameSimilarity } from './name-similarity.js';

/** A field the fixture has that reality has under another name. */
export interface Rename {
  readonly from: FieldCandidate;
  readonly to: FieldCandidate;
  readonly score: number;
  /** Whether recorded values under the new name equal the fixture's value under the old one. */
  readonly sameValue: boolean;
}

/** Name similarity at which two fields of the same parent and type are taken for one. */
const NAME_THRESHOLD = 0.7;
/** A weaker name similarity suffices when the values are the same too. */
const NAME_THRESHOLD_WITH_VALUE = 0.5;
/** Pairs looked at for value evidence alone: beyond this many, names must be alike. */
const MAX_VALUE_PAIRS = 10_000;

/**
 * Pairs fields the fixture has and reality never has with fields reality has and the fixture
 * lacks: same parent (array items included), compatible type, and either similar names (case-
 * and separator-insensitive words, abbreviations, edit distance) or the same distinctive value
 * (`kind: "refund"` → `object: "refund"`; never a boolean, a small integer or an empty string).
 * Pairs are taken best first, each field at most once; what is not paired stays missing or
 * added — `carrier` gone and `weight` new are two changes, not one.
 */
export function detectRenames(
  missing: readonly FieldCandidate[],
  added: readonly FieldCandidate[],
  fixtureBody: unknown,
  recordedBodies: () => readonly unknown[],
): Rename[] {
  const pairs: Rename[] = [];
  const byValue = missing.length * added.length <= MAX_VALUE_PAIRS;
  for (const from of missing) {
    for (const to of added) {
      if (from.parent !== to.parent) continue;
      const compatible = from.types.length === 0 || from.types.some((type) => to.types.includes(type));
      if (!compatible) continue;
      const name = nameSimilarity(from.key, to.key);
      if (name < NAME_THRESHOLD_WITH_VALUE && !byValue) continue;
      const evidence = valueEvidence(fixtureBody, from.path, recordedBodies(), to.path);
      const sameValue = evidence.same && from.types.every((type) => type !== 'object' && type !== 'array');
      if (name < NAME_THRESHOLD_WITH_VALUE && !(sameValue && evidence.distinctive)) continue;
      if (name < NAME_THRESHOLD && !sameValue) continue;
      pairs.push({ from, to, score: name + (sameValue ? 0.3 : 0) + (evidence.distinctive ? 0.2 : 0), sameValue });
    }
  }
  pairs.sort((a, b) => b.score - a.score || a.from.path.localeCompare(b.from.path) || a.to.path.localeCompare(b.to.path));
  const taken = new Set<string>();
  const renames: Rename[] = [];
  for (const pair of pairs) {
    if (taken.has(pair.from.path) || taken.has(pair.to.path)) continue;
    taken.add(pair.from.path);
    taken.add(pair.to.path);
    renames.push(pair);
  }
  return renames;
}
