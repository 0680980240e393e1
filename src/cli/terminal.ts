import type { Writable } from 'node:stream';
import { redactMessage } from './safe-text.js';

/** The styles the CLI uses; each is a pair of ANSI codes. */
const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = keyof typeof STYLES;

export interface TerminalOptions {
  readonly stdout?: Writable & { isTTY?: boolean };
  readonly stderr?: Writable & { isTTY?: boolean };
  readonly env?: NodeJS.ProcessEnv;
  /** Only errors and machine output. Default: false. */
  readonly quiet?: boolean;
  /** Also debug lines. Default: false. */
  readonly verbose?: boolean;
}

/**
 * All the CLI's printing. A command's result (a report, a table, the proxy's address) goes to
 * stdout; logs, progress, warnings and errors go to stderr, so that machine output
 * (`--format json`) is never mixed with them. Colour only on a TTY, never with
 * `NO_COLOR`, unless `FORCE_COLOR` says otherwise. Log lines are gathered and written once per turn of the event loop, so that a proxy
 * logging thousands of exchanges a second does not pay a write per line.
 */
export class Terminal {
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly #stdout: Writable;
  readonly #stderr: Writable;
  readonly #colorOut: boolean;
  readonly #colorErr: boolean;
  #pending: string[] = [];
  #progressShown = false;
  readonly #stderrTty: boolean;

  constructor(options: TerminalOptions = {}) {
    const env = options.env ?? process.env;
    const stdout = options.stdout ?? process.stdout;
    const stderr = options.stderr ?? process.stderr;
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    const colorAllowed = env['NO_COLOR'] === undefined || env['NO_COLOR'] === '';
    const forced = forcedColor(env);
    this.#colorOut = forced ?? (colorAllowed && stdout.isTTY === true);
    this.#colorErr = forced ?? (colorAllowed && stderr.isTTY === true);
    this.#stderrTty = stderr.isTTY === true;
  }

  /** Whether a progress line can be drawn: stderr is a terminal and `--quiet` is off. */
  get interactive(): boolean {
    return this.#stderrTty && !this.quiet;
  }

  /** Draws a progress line on stderr, replacing the previous one (only when {@link interactive}). */
  progress(line: string): void {
    if (!this.interactive) return;
    // \r and "erase line": the next frame replaces this one instead of adding a line.
    this.#stderr.write(`\r\u001b[2K${line}`);
    this.#progressShown = true;
  }

  /** Ends the progress line, so that what follows starts on a line of its own. */
  endProgress(): void {
    if (this.#progressShown) this.#stderr.write('\n');
    this.#progressShown = false;
  }

  /** Whether stdout gets colour. */
  get color(): boolean {
    return this.#colorOut;
  }

  /** Wraps text in a style when the stream it is meant for (stdout by default) is coloured. */
  paint(style: Style, text: string, stream: 'stdout' | 'stderr' = 'stdout'): string {
    return paint(stream === 'stdout' ? this.#colorOut : this.#colorErr, style, text);
  }

  /** The command's result, on stdout, always. */
  out(text: string): void {
    this.#stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A log line, on stderr, unless `--quiet`; gathered and written once per tick. */
  log(line: string): void {
    if (this.quiet) return;
    if (this.#pending.length === 0) setImmediate(() => this.#flushLog());
    this.#pending.push(line);
  }

  /** A warning, on stderr, even with `--quiet`. */
  warn(message: string): void {
    this.#flushLog();
    // Warnings and errors may quote a URL, a flag or an upstream's words: no secret shape gets out.
    this.#stderr.write(`${paint(this.#colorErr, 'yellow', 'warning')} ${redactMessage(message)}\n`);
  }

  /** An error, on stderr, always. */
  error(message: string): void {
    this.#flushLog();
    this.#stderr.write(`${paint(this.#colorErr, 'red', 'error')} ${redactMessage(message)}\n`);
  }

  /** A line for the CI runner (a GitHub Actions workflow command), on stderr, even with `--quiet`. */
  annotate(line: string): void {
    this.#flushLog();
    this.#stderr.write(`${line}\n`);
  }

  /** A debug line, on stderr, with `--verbose`. */
  debug(message: string): void {
    if (this.verbose) this.#stderr.write(`${paint(this.#colorErr, 'dim', `debug ${message}`)}\n`);
  }

  /** Writes the gathered log lines now (before exiting). */
  flush(): void {
    this.#flushLog();
  }

  #flushLog(): void {
    if (this.#pending.length === 0) return;
    const text = `${this.#pending.join('\n')}\n`;
    this.#pending = [];
    this.#stderr.write(text);
  }
}

/**
 * `FORCE_COLOR` as Node and most CLIs read it: `0` or `false` turns colour off, any other value
 * turns it on even without a terminal (CI logs that render ANSI); unset leaves the choice to the TTY
 * and `NO_COLOR`.
 */
function forcedColor(env: NodeJS.ProcessEnv): boolean | undefined {
  const value = env['FORCE_COLOR'];
  if (value === undefined) return undefined;
  return value !== '0' && value.toLowerCase() !== 'false';
}

function paint(enabled: boolean, style: Style, text: string): string {
  if (!enabled) return text;
  const [open, close] = STYLES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}
