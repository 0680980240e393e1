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

/**
 * What the fixture has and what reality has, each in words that stand on their own: a rename
 * reads `$.transaction_id (string)` against `$.txn_id (string), no $.transaction_id` — never
 * `absent` next to a path reality does have.
 */
export function findingSides(finding: Finding): { readonly fixture: string; readonly reality: string } {
  const path = finding.path ?? '';
  const expected = finding.expected === undefined ? '' : showValue(finding.expected, finding);
  const actual = finding.actual === undefined ? '' : showValue(finding.actual, finding);
  switch (finding.kind) {
    case 'field-renamed':
    case 'field-moved':
      // `actual` is `absent` (the old path, SPEC §6); reality's side names where the field is now.
      return { fixture: `${path} (${expected})`, reality: `${finding.to ?? '?'}${actual && actual !== 'absent' ? ` (${actual})` : ''}, no ${path}` };
    case 'field-missing':
      return { fixture: `${path} (${expected})`, reality: `no ${path}` };
    case 'field-added':
      return { fixture: `no ${path}`, reality: `${path} (${actual})` };
    case 'header-missing':
      return { fixture: `header ${path.replace(/^headers\./, '')}`, reality: `no header ${path.replace(/^headers\./, '')}` };
    case 'status-changed':
      return { fixture: `status ${expected}`, reality: `status ${actual}` };
    case 'content-type-changed':
      return { fixture: `content-type ${expected}`, reality: `content-type ${actual}` };
    case 'unverified':
      return { fixture: 'this interaction', reality: 'no readable recording of it' };
    case 'stale-recording':
      return { fixture: `recordings ${expected}`, reality: `newest recording ${actual}` };
    default:
      return { fixture: path ? `${path}: ${expected}` : expected, reality: path ? `${path}: ${actual}` : actual };
  }
}

/** `fixture $.a (string); reality $.b (string), no $.a` */
export function sidesText(finding: Finding): string {
  const sides = findingSides(finding);
  return `fixture ${sides.fixture}; reality ${sides.reality}`;
}

/** How many recordings agree with the fixture on the finding's point, in words that cannot be misread. */
export function agreementText(finding: Finding): string {
  const { recordings, matching, lastSeen } = finding.evidence;
  if (recordings === 0) return 'no recordings to compare with';
  const last = lastSeen ? `, last ${lastSeen.slice(0, 10)}` : '';
  return `${matching} of ${recordings} recording${recordings === 1 ? '' : 's'} agree${matching === 1 ? 's' : ''} with the fixture${last}`;
}

/** Findings of one cause seen in more than one fixture interaction: shown once, with the list. */
export interface SharedFinding {
  /** The first finding of the group, which stands for all. */
  readonly finding: Finding;
  readonly members: readonly Finding[];
}

/**
 * Splits findings into those shared by several fixture interactions (same `group`) and the rest.
 * Shared groups keep the order of their first finding.
 */
export function splitShared(findings: readonly Finding[]): { readonly shared: SharedFinding[]; readonly single: Finding[] } {
  const byGroup = groupBy(
    findings.filter((finding) => finding.group !== undefined),
    (finding) => finding.group!,
  );
  const sharedIds = new Set<string>();
  const shared: SharedFinding[] = [];
  for (const [group, members] of byGroup) {
    const interactions = new Set(members.map((member) => `${member.fixture}\u0000${member.line}\u0000${member.interaction}`));
    if (interactions.size < 2) continue;
    sharedIds.add(group);
    shared.push({ finding: members[0]!, members });
  }
  return { shared, single: findings.filter((finding) => finding.group === undefined || !sharedIds.has(finding.group)) };
}

/** `fixtures/a.json:3 (get a charge)` */
export function memberText(finding: Finding): string {
  return `${finding.fixture}:${finding.line} (${finding.interaction})`;
}

/** A shared finding's fix, said of every fixture: its own `file:line` becomes "each fixture". */
export function sharedFix(finding: Finding): string | undefined {
  return finding.fix?.replaceAll(`${finding.fixture}:${finding.line}`, 'each fixture');
}
