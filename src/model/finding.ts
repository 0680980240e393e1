import type { BaselineState, BaselineSummary } from './baseline.js';

/** How much a finding matters. Failing the build is a separate policy (`--fail-on`). */
export type Severity = 'breaking' | 'warning' | 'info';

/** Severities from the most to the least serious. */
export const SEVERITIES: readonly Severity[] = ['breaking', 'warning', 'info'];

/** Every kind of drift mockdrift reports, with the severity it has. */
export const FINDING_SEVERITY = {
  'field-moved': 'breaking',
  'field-renamed': 'breaking',
  'field-missing': 'breaking',
  'type-changed': 'breaking',
  'status-changed': 'breaking',
  'content-type-changed': 'breaking',
  'value-changed': 'breaking',
  'field-optional': 'warning',
  'field-nullable': 'warning',
  'format-changed': 'warning',
  'header-missing': 'warning',
  'stale-recording': 'warning',
  'field-added': 'info',
  unverified: 'info',
} as const satisfies Record<string, Severity>;

export type FindingKind = keyof typeof FINDING_SEVERITY;

/** How many recordings a finding rests on. */
export interface Evidence {
  /** Recordings compared with the fixture. */
  readonly recordings: number;
  /** Of those, how many agree with the fixture on this point. */
  readonly matching: number;
  /** When the newest of them was recorded (ISO 8601); null when there is none. */
  readonly lastSeen: string | null;
}

/** One difference between a fixture and reality, as data. */
export interface Finding {
  /** Stable across runs: the same drift in the same fixture keeps its id. */
  readonly id: string;
  readonly kind: FindingKind;
  readonly severity: Severity;
  /** The fixture file, relative to the working directory. */
  readonly fixture: string;
  /** The line in the fixture file the finding is about. */
  readonly line: number;
  /** The interaction's name. */
  readonly interaction: string;
  readonly service: string | null;
  /** Method and route, e.g. `POST /v1/charges`. */
  readonly route: string;
  /** The status the fixture answers with. */
  readonly status: number;
  /** The body path (`$.transaction_id`) or header (`headers.x-request-id`); absent for whole-exchange findings. */
  readonly path?: string;
  /** Where a renamed or moved field went; renames and moves only. */
  readonly to?: string;
  /** What the fixture says (a type, a value, a status…). */
  readonly expected?: unknown;
  /** What reality says. */
  readonly actual?: unknown;
  readonly evidence: Evidence;
  /** One sentence: what happened. */
  readonly message: string;
  /** One sentence: what to change in the fixture. */
  readonly fix?: string;
  /**
   * What the fixture was compared with: recorded traffic or the provider's OpenAPI document. Set
   * only by `check --spec`, where both may be compared in one run.
   */
  readonly source?: 'recordings' | 'spec';
  /**
   * Shared by the findings of one cause across fixtures: the same kind at the same path (or
   * header, or status) in fixtures of one service. Set by a check; absent on hand-built findings.
   */
  readonly group?: string;
  /**
   * Body-path findings: when reality changed — the ISO time of the first recording that shows the
   * drift after the last one that agreed, or `before <ISO time of the first recording>` when none ever agreed.
   */
  readonly since?: string;
  /** When a recording last agreed with the fixture on this point (ISO 8601); absent when none did. */
  readonly lastAgreed?: string;
  /** Under a baseline: whether the finding is new or accepted. */
  readonly baseline?: BaselineState;
  /** Under a baseline: the `expires` of the entry that accepted this drift until it expired (the finding is then new). */
  readonly baselineExpired?: string;
  /** When recordings that agree and recordings that drift were seen (drawn by the HTML report); not in the JSON contract. */
  readonly timeline?: FindingTimeline;
}

/** A span of recordings of one kind: from the first to the last, and how many. */
export interface TimeSpan {
  /** ms since the epoch */
  readonly first: number;
  readonly last: number;
  readonly count: number;
}

/** When the fixture's shape (agreeing) and the drifted shape were seen, per distinct recorded shape. */
export interface FindingTimeline {
  readonly agreed: readonly TimeSpan[];
  readonly drifted: readonly TimeSpan[];
}

/** Totals of a check. */
export interface ReportSummary {
  /** Fixture interactions checked. */
  readonly fixtures: number;
  /** Interactions with at least one matching recording. */
  readonly verified: number;
  readonly unverified: number;
  readonly breaking: number;
  readonly warning: number;
  readonly info: number;
}

/** One fixture interaction that was checked, whether or not it has findings. */
export interface ReportInteraction {
  /** The fixture file, relative to the working directory. */
  readonly fixture: string;
  /** The line of the interaction's response in the fixture file. */
  readonly line: number;
  /** The interaction's name. */
  readonly interaction: string;
  readonly service: string | null;
  /** Method and route as the interaction's findings have it (the matched route when verified). */
  readonly route: string;
  /** The status the fixture answers with. */
  readonly status: number;
  /** Whether at least one recording answers it. */
  readonly verified: boolean;
  /** The fixture's response body, when it has breaking or warning findings about its body (for side-by-side views). */
  readonly fixtureBody?: unknown;
  /** One recorded (redacted) response body it was compared with, alongside `fixtureBody`. */
  readonly recordedBody?: unknown;
}

/** The result of a check: the input of every report formatter. */
export interface Report {
  readonly version: 1;
  readonly summary: ReportSummary;
  readonly findings: readonly Finding[];
  /**
   * Every interaction checked, in input order. Optional so that hand-built reports stay valid;
   * formatters that list interactions without findings (JUnit) need it. Not part of the JSON contract.
   */
  readonly interactions?: readonly ReportInteraction[];
  /**
   * Files found while scanning for fixtures that are plainly no HTTP fixture, or hold nothing to
   * compare (a WireMock proxy stub): listed in every report, never dropped in silence.
   */
  readonly skippedFiles?: readonly SkippedFixtureFile[];
  /** Present when the check ran under a baseline: new / accepted counts and the fixed entries. */
  readonly baseline?: BaselineSummary;
}

/** A file `--fixtures` found but did not compare, and why. */
export interface SkippedFixtureFile {
  /** The file, relative to the working directory (forward slashes). */
  readonly file: string;
  readonly reason: string;
}

/** Whether a severity is at or above a threshold. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
