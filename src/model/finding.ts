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
   * Shared by the findings of one cause across fixtures: the same kind at the same path (or
   * header, or status) in fixtures of one service. Set by a check; absent on hand-built findings.
   */
  readonly group?: string;
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
}

/** Whether a severity is at or above a threshold. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
