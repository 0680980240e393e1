import type { Finding } from '../model/finding.js';

/** Pieces of a finding in words, shared by the formats that write findings as text. */

/** The path, or `old → new` for a rename. */
export function findingSubject(finding: Finding): string {
  if (finding.to !== undefined) return `${finding.path ?? ''} → ${finding.to}`;
  return finding.path ?? '';
}

/** `expected → observed`, or '' when the finding has neither. */
export function expectedObserved(finding: Finding): string {
  if (finding.expected === undefined && finding.actual === undefined) return '';
  return `${showValue(finding.expected, finding)} → ${showValue(finding.actual, finding)}`;
}

/** Values as JSON ("succeeded" vs "SUCCEEDED"); type and format names as words. */
export function showValue(value: unknown, finding: Finding): string {
  return typeof value === 'string' && finding.kind !== 'value-changed' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** Items grouped by a key, groups and items in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}
