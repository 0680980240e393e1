import { describeError, isMockdriftError } from '../model/errors.js';
import type { Terminal } from './terminal.js';

/**
 * Prints an error that stopped a command and returns the exit code (SPEC §6). An unexpected error
 * (a bug) also gets its stack with `--verbose`.
 */
export function reportError(error: unknown, terminal: Terminal): number {
  if (isMockdriftError(error)) {
    terminal.error(error.code === 'USAGE' ? `${error.message}\nRun "mockdrift --help" for usage.` : error.message);
    return error.exitCode;
  }
  terminal.error(`mockdrift stopped on an unexpected error: ${describeError(error)}${terminal.verbose ? '' : ' (--verbose prints where)'}`);
  if (error instanceof Error && error.stack) terminal.debug(error.stack);
  return 2;
}

/** `--verbose` or `-v` among the raw arguments, or MOCKDRIFT_VERBOSE: the error may come before parsing ended. */
export function verboseFlag(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.some((arg) => arg === '--verbose' || arg === '-v' || arg === '--verbose=true')) return true;
  const variable = env['MOCKDRIFT_VERBOSE'];
  return variable !== undefined && variable !== '' && variable !== 'false' && variable !== '0';
}
