import type { JsonType } from '../model/shape.js';
import { lastKey, parentPath } from '../model/json-path.js';
import { shapeOf } from '../model/shape.js';
import type { AggregateShape } from './aggregate-shape.js';
import type { FieldCandidate } from './diff-shape.js';
import { valueEvidence } from './field-values.js';
import { canonicalWords, nameSimilarity } from './name-similarity.js';

/** A field the fixture has that reality has under another parent. */
export interface Move {
  readonly from: FieldCandidate;
  /** Where reality has it. */
  readonly to: string;
  /** Reality's non-null types there. */
  readonly types: readonly JsonType[];
  /** Recordings that have it there. */
  readonly recordings: number;
  /** Whether a recorded value there equals the fixture's. */
  readonly sameValue: boolean;
}

/** Name similarity at which a field under another parent may be the same field. */
const SIMILAR_NAME = 0.7;
/** Paths of reality looked at per missing field: a map-like body must not cost more. */
const MAX_CANDIDATES = 2_000;

/**
 * Finds, for fields the fixture has and reality lacks, the same field under another parent
 * (`$.email` → `$.contact.email`): the same name (or a similar one with a distinctive value),
 * a compatible type, a path the fixture does not have already, and a recorded value equal to the
 * fixture's. A name alone is not enough: `$.id` missing and some `$.customer.id` present are not
 * one field moving. Each new place is taken at most once, best first.
 */
export function detectMoves(
  missing: readonly FieldCandidate[],
  reality: AggregateShape,
  fixtureBody: unknown,
  recordedBodies: () => readonly unknown[],
): Move[] {
  if (missing.length === 0) return [];
  const fixturePaths = shapeOf(fixtureBody);
  const pairs: Array<Move & { score: number }> = [];
  for (const from of missing) {
    const wanted = canonicalWords(from.key).join('_');
    let looked = 0;
    for (const [path, stats] of reality.paths) {
      if (looked++ > MAX_CANDIDATES) break;
      if (stats.present === 0 || path === from.path || Object.hasOwn(fixturePaths, path)) continue;
      const key = lastKey(path);
      if (key === undefined || parentPath(path) === from.parent) continue;
      const sameName = canonicalWords(key).join('_') === wanted;
      const name = sameName ? 1 : nameSimilarity(from.key, key);
      if (name < SIMILAR_NAME) continue;
      const types: JsonType[] = [...stats.types.keys()].filter((type) => type !== 'null');
      if (from.types.length > 0 && !from.types.some((type) => types.includes(type as JsonType))) continue;
      const evidence = valueEvidence(fixtureBody, from.path, recordedBodies(), path);
      if (!evidence.same || (!sameName && !evidence.distinctive)) continue;
      pairs.push({ from, to: path, types, recordings: stats.present, sameValue: evidence.same, score: name + (evidence.distinctive ? 0.3 : 0) - depthOf(path) * 0.01 });
    }
  }
  pairs.sort((a, b) => b.score - a.score || a.from.path.localeCompare(b.from.path) || a.to.localeCompare(b.to));
  const taken = new Set<string>();
  const moves: Move[] = [];
  for (const { score: _score, ...pair } of pairs) {
    if (taken.has(pair.from.path) || taken.has(pair.to)) continue;
    taken.add(pair.from.path);
    taken.add(pair.to);
    moves.push(pair);
  }
  return moves;
}

function depthOf(path: string): number {
  let depth = 0;
  for (const char of path) if (char === '.' || char === '[') depth += 1;
  return depth;
}
