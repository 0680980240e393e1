import type { RecordedGroup, UnreadableReason } from '../model/recorded-group.js';
import type { BodyShape } from '../model/shape.js';

/**
 * One row of a store's group aggregate: the recordings of one group that share a header set, a
 * shape and a readability, counted. Both stores answer the same `GROUP BY` with rows like this.
 */
export interface GroupAggregateRow {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  /** Query parameter names, sorted and joined with `&`. */
  readonly queryNames: string;
  readonly contentType: string | null;
  /** Response header names, sorted and comma-separated. */
  readonly headerNames: string | null;
  readonly shapeId: number | null;
  readonly bodyUnreadable: UnreadableReason | null;
  readonly count: number;
  /** Recordings with an empty (or no) response body. */
  readonly empty: number;
  readonly first: number;
  readonly last: number;
  readonly samplePath: string;
}

type MutableGroup = {
  -readonly [K in keyof RecordedGroup]-?: K extends 'headers'
    ? Map<string, number>
    : K extends 'shapes'
      ? Array<{ shape: BodyShape; count: number; firstSeen: number; lastSeen: number }>
      : K extends 'unreadable'
        ? Partial<Record<UnreadableReason, number>>
        : RecordedGroup[K];
};

/**
 * Folds aggregate rows into groups (same service, method, route, status, query names and content
 * type): counts, times, header counts, unreadable bodies and the distinct shapes with their times.
 */
export function groupRecordings(rows: Iterable<GroupAggregateRow>, shapes: ReadonlyMap<number, BodyShape>): RecordedGroup[] {
  const groups = new Map<string, MutableGroup>();
  for (const row of rows) {
    const key = JSON.stringify([row.service, row.method, row.route, row.status, row.queryNames, row.contentType]);
    let group = groups.get(key);
    if (!group) {
      group = {
        service: row.service,
        method: row.method,
        route: row.route,
        status: row.status,
        queryNames: row.queryNames === '' ? [] : row.queryNames.split('&'),
        contentType: row.contentType,
        count: 0,
        firstSeen: row.first,
        lastSeen: row.last,
        samplePath: row.samplePath,
        headers: new Map(),
        shapes: [],
        unreadable: {},
        empty: 0,
      };
      groups.set(key, group);
    }
    group.count += row.count;
    group.empty += row.empty;
    if (row.bodyUnreadable !== null) group.unreadable[row.bodyUnreadable] = (group.unreadable[row.bodyUnreadable] ?? 0) + row.count;
    group.firstSeen = Math.min(group.firstSeen, row.first);
    group.lastSeen = Math.max(group.lastSeen, row.last);
    for (const name of row.headerNames ? row.headerNames.split(',') : []) group.headers.set(name, (group.headers.get(name) ?? 0) + row.count);
    const shape = row.shapeId === null ? undefined : shapes.get(row.shapeId);
    if (shape) group.shapes.push({ shape, count: row.count, firstSeen: row.first, lastSeen: row.last });
  }
  return [...groups.values()];
}
