/**
 * The one error type of mockdrift. Drift is data (findings); an exception means mockdrift could
 * not do what it was asked. Every error carries a stable `code` that tooling may rely on, a
 * message naming the file, flag or URL at fault and the next step to take, and its `cause`.
 */
export type MockdriftErrorCode =
  /** A flag, a config value or a combination of them is not valid. */
  | 'USAGE'
  /** The config file is missing, unreadable or not valid JSON. */
  | 'CONFIG_INVALID'
  /** The recordings database cannot be opened, created, read or written. */
  | 'STORE_UNAVAILABLE'
  /** The recordings database exists but is not a mockdrift store (or is corrupt). */
  | 'STORE_INVALID'
  /** The recordings database was written by a newer mockdrift. */
  | 'STORE_TOO_NEW'
  /** A fixture file cannot be read, is not valid JSON, or is of no known format. */
  | 'FIXTURE_INVALID'
  /** The proxy cannot listen on the requested host and port. */
  | 'LISTEN_FAILED'
  /** The sandbox cannot be reached. */
  | 'TARGET_UNREACHABLE'
  /** There is nothing to check against (an empty store). */
  | 'NOTHING_TO_CHECK'
  /** The baseline file (accepted drift) cannot be read or is not a valid baseline. */
  | 'BASELINE_INVALID';

/** Exit codes of SPEC §6: 2 for usage and input errors, 3 when a check could not run. */
const EXIT_CODES: Record<MockdriftErrorCode, number> = {
  USAGE: 2,
  CONFIG_INVALID: 2,
  STORE_UNAVAILABLE: 2,
  STORE_INVALID: 2,
  STORE_TOO_NEW: 2,
  FIXTURE_INVALID: 2,
  LISTEN_FAILED: 2,
  TARGET_UNREACHABLE: 3,
  NOTHING_TO_CHECK: 3,
  BASELINE_INVALID: 2,
};

export class MockdriftError extends Error {
  override readonly name = 'MockdriftError';
  readonly code: MockdriftErrorCode;

  constructor(code: MockdriftErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The process exit code that this error maps to (SPEC §6). */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isMockdriftError(error: unknown): error is MockdriftError {
  return error instanceof MockdriftError;
}

/** A one-line description of any thrown value, for messages that wrap a cause. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
