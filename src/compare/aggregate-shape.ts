import type { BodyShape, JsonType, ValueFormat } from '../model/shape.js';

/** What the recordings of a route show about one body path, counted in recordings. */
export interface PathStats {
  /** Recordings in which the path appears at least once. */
  readonly present: number;
  /** Recordings in which it is missing from some occurrences of its parent (some array items). */
  readonly partial: number;
  /** Recordings in which each type was seen (`null` included). */
  readonly types: ReadonlyMap<JsonType, number>;
  /** Recordings in which each format was seen. */
  readonly formats: ReadonlyMap<ValueFormat, number>;
}

/** The shape of reality: every path of every recorded body, with how often it was seen. */
export interface AggregateShape {
  /** Recordings aggregated. */
  readonly recordings: number;
  readonly paths: ReadonlyMap<string, PathStats>;
}

interface MutableStats {
  present: number;
  partial: number;
  types: Map<JsonType, number>;
  formats: Map<ValueFormat, number>;
}

/**
 * Adds up body shapes weighted by how many recordings had each. Incremental by construction:
 * the store hands over distinct shapes with counts, so the cost follows the number of distinct
 * shapes, not of recordings.
 */
export function aggregateShapes(shapes: ReadonlyArray<{ readonly shape: BodyShape; readonly count: number }>): AggregateShape {
  const paths = new Map<string, MutableStats>();
  let recordings = 0;
  for (const { shape, count } of shapes) {
    recordings += count;
    for (const path of Object.keys(shape)) {
      const facts = shape[path]!;
      let stats = paths.get(path);
      if (!stats) {
        stats = { present: 0, partial: 0, types: new Map(), formats: new Map() };
        paths.set(path, stats);
      }
      stats.present += count;
      if (facts.partial) stats.partial += count;
      for (const type of facts.types) stats.types.set(type, (stats.types.get(type) ?? 0) + count);
      for (const format of facts.formats ?? []) stats.formats.set(format, (stats.formats.get(format) ?? 0) + count);
    }
  }
  return { recordings, paths };
}

/** How many recordings had `path` with a value of `type`. */
export function countOfType(aggregate: AggregateShape, path: string, type: JsonType): number {
  return aggregate.paths.get(path)?.types.get(type) ?? 0;
}
