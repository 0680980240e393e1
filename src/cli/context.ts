import type { MockdriftConfig } from '../config.js';
import { Terminal } from './terminal.js';

/** The flags every command takes. */
export interface GlobalArgs {
  readonly config?: string;
  readonly db: string;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

/** What every command gets besides its flags. */
export interface CliContext {
  readonly config: MockdriftConfig;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The terminal for a command's flags (`--quiet`, `--verbose`). */
  terminal(args: GlobalArgs): Terminal;
}

export function createContext(config: MockdriftConfig, cwd: string, env: NodeJS.ProcessEnv): CliContext {
  return {
    config,
    cwd,
    env,
    terminal: (args) => new Terminal({ quiet: args.quiet, verbose: args.verbose, env }),
  };
}
