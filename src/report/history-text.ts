import type { FieldHistory, RouteHistory, StatusHistory } from '../compare/shape-history.js';
import { shortTime } from './baseline-text.js';

/**
 * `mockdrift history` as text: per route, its recordings and span; per status (the status mix
 * over time), the fields of its JSON bodies with their first and last appearance, how many
 * recordings had them, and their types — each with its own span when the type changed. A field
 * that is not in the newest recording of its status is marked `gone`, one missing from the
 * oldest `new`.
 */
export function historyText(routes: readonly RouteHistory[]): string {
  const lines: string[] = [];
  for (const route of routes) {
    lines.push(`${route.service}  ${route.method} ${route.route}  —  ${plural(route.recordings, 'recording')}, ${shortTime(route.firstSeen)} → ${shortTime(route.lastSeen)}`);
    for (const status of route.statuses) lines.push(...statusLines(status));
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function statusLines(status: StatusHistory): string[] {
  const head = `  ${status.status}  ${plural(status.recordings, 'recording')}${status.jsonRecordings !== status.recordings ? ` (${status.jsonRecordings} JSON)` : ''}, ${shortTime(status.firstSeen)} → ${shortTime(status.lastSeen)}`;
  if (status.fields.length === 0) return [head];
  const header = ['FIELD', 'FIRST SEEN', 'LAST SEEN', 'IN', '', 'TYPES'];
  const rows = status.fields.map((field) => [field.path, shortTime(field.firstSeen), shortTime(field.lastSeen), `${field.recordings}/${status.jsonRecordings}`, mark(field, status), types(field)]);
  const widths = header.map((title, column) => rows.reduce((width, row) => Math.max(width, row[column]!.length), title.length));
  const line = (cells: readonly string[]): string => `    ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}`;
  return [head, line(header), ...rows.map(line)];
}

function types(field: FieldHistory): string {
  if (field.types.length === 1) return field.types[0]!.type;
  return field.types.map((type) => `${type.type} (${shortTime(type.firstSeen)} → ${shortTime(type.lastSeen)}, ${type.recordings})`).join(', ');
}

function mark(field: FieldHistory, status: StatusHistory): string {
  const marks: string[] = [];
  if (field.firstSeen > status.firstSeen) marks.push('new');
  if (field.lastSeen < status.lastSeen) marks.push('gone');
  return marks.join(', ');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
