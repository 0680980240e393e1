import type { RecordedGroup } from '../model/recorded-group.js';
import { normalizePath, routeOf } from '../model/route.js';
import type { JsonType } from '../model/shape.js';

/** When something was seen: the first and last time (ISO 8601) and in how many recordings. */
export interface Seen {
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly recordings: number;
}

/** One type a field had, and when. */
export interface TypeHistory extends Seen {
  readonly type: JsonType;
}

/** One body path of a route's responses: when it first and last appeared, and its types over time. */
export interface FieldHistory extends Seen {
  readonly path: string;
  /** Oldest type first: a change of type reads as one type ending where the next begins. */
  readonly types: readonly TypeHistory[];
}

/** One status a route answered with, and the fields of its JSON bodies. */
export interface StatusHistory extends Seen {
  readonly status: number;
  /** Recordings of this status whose body was JSON (the ones fields are counted in). */
  readonly jsonRecordings: number;
  readonly fields: readonly FieldHistory[];
}

/** The timeline of one route's responses. */
export interface RouteHistory extends Seen {
  readonly service: string;
  readonly method: string;
  readonly route: string;
  /** The status mix over time, by status. */
  readonly statuses: readonly StatusHistory[];
}

/** What `history` is asked about. Every field narrows. */
export interface HistoryQuery {
  /** `GET /v1/charges/:id`, `/v1/charges/:id`, or a concrete path (`GET /v1/charges/ch_123`, taken to its route). */
  readonly route?: string;
  /** A body path (`$.txn_id`): that field and those below it. */
  readonly path?: string;
}

interface Span {
  first: number;
  last: number;
  count: number;
}

/**
 * The timeline of routes' responses from the stored shapes and their times — no body is read:
 * for each route and status, when each body path first and last appeared, and each type it had.
 * @returns routes ordered by service, route and method; statuses by number; fields by path.
 */
export function shapeHistory(groups: readonly RecordedGroup[], query: HistoryQuery = {}): RouteHistory[] {
  const wanted = routeFilter(groups, query.route);
  const routes = new Map<string, { service: string; method: string; route: string; span: Span; statuses: Map<number, StatusAccumulator> }>();
  for (const group of groups) {
    if (!wanted(group)) continue;
    const key = JSON.stringify([group.service, group.method, group.route]);
    let route = routes.get(key);
    if (!route) {
      route = { service: group.service, method: group.method, route: group.route, span: emptySpan(), statuses: new Map() };
      routes.set(key, route);
    }
    widen(route.span, group.firstSeen, group.lastSeen, group.count);
    let status = route.statuses.get(group.status);
    if (!status) {
      status = { span: emptySpan(), json: 0, fields: new Map() };
      route.statuses.set(group.status, status);
    }
    widen(status.span, group.firstSeen, group.lastSeen, group.count);
    for (const { shape, count, firstSeen, lastSeen } of group.shapes) {
      status.json += count;
      // A store that cannot tell a shape's times gives the group's: coarser, never wrong about the bounds.
      const first = firstSeen ?? group.firstSeen;
      const last = lastSeen ?? group.lastSeen;
      for (const path of Object.keys(shape)) {
        if (query.path !== undefined && !within(path, query.path)) continue;
        let field = status.fields.get(path);
        if (!field) {
          field = { span: emptySpan(), types: new Map() };
          status.fields.set(path, field);
        }
        widen(field.span, first, last, count);
        for (const type of shape[path]!.types) {
          let span = field.types.get(type);
          if (!span) {
            span = emptySpan();
            field.types.set(type, span);
          }
          widen(span, first, last, count);
        }
      }
    }
  }
  return [...routes.values()]
    .sort((a, b) => compare(a.service, b.service) || compare(a.route, b.route) || compare(a.method, b.method))
    .map((route) => ({
      service: route.service,
      method: route.method,
      route: route.route,
      ...seen(route.span),
      statuses: [...route.statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, accumulator]) => ({
          status,
          ...seen(accumulator.span),
          jsonRecordings: accumulator.json,
          fields: [...accumulator.fields]
            .sort(([a], [b]) => compare(a, b))
            .map(([path, field]) => ({
              path,
              ...seen(field.span),
              types: [...field.types].sort(([, a], [, b]) => a.first - b.first || a.last - b.last).map(([type, span]) => ({ type, ...seen(span) })),
            })),
        })),
    }));
}

interface StatusAccumulator {
  span: Span;
  json: number;
  fields: Map<string, { span: Span; types: Map<JsonType, Span> }>;
}

/**
 * Which groups a `--route` names: `METHOD /route` or `/route`, matched as stored; when nothing
 * stored matches, the path is taken to its route as recording does (`/v1/charges/ch_123` →
 * `/v1/charges/:id`).
 */
function routeFilter(groups: readonly RecordedGroup[], route: string | undefined): (group: RecordedGroup) => boolean {
  if (route === undefined) return () => true;
  const match = /^\s*(?:([A-Za-z]+)\s+)?(\S+)\s*$/.exec(route);
  if (!match) return () => false;
  const method = match[1]?.toUpperCase();
  const path = match[2]!;
  const byMethod = (group: RecordedGroup): boolean => method === undefined || group.method === method;
  if (groups.some((group) => byMethod(group) && group.route === path)) return (group) => byMethod(group) && group.route === path;
  const templated = routeOf(normalizePath(path.split('?')[0]!));
  return (group) => byMethod(group) && group.route === templated;
}

/** Whether `path` is `prefix` or below it. */
function within(path: string, prefix: string): boolean {
  return path === prefix || (path.startsWith(prefix) && (path[prefix.length] === '.' || path[prefix.length] === '['));
}

function emptySpan(): Span {
  return { first: Infinity, last: -Infinity, count: 0 };
}

function widen(span: Span, first: number, last: number, count: number): void {
  span.first = Math.min(span.first, first);
  span.last = Math.max(span.last, last);
  span.count += count;
}

function seen(span: Span): Seen {
  return { firstSeen: new Date(span.first).toISOString(), lastSeen: new Date(span.last).toISOString(), recordings: span.count };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
