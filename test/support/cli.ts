import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The executable a user runs. */
export const BIN = fileURLToPath(new URL('../../bin/mockdrift', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Environment for a spawned CLI: no colour, no inherited MOCKDRIFT_* settings. */
function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MOCKDRIFT_') && name !== 'GITHUB_ACTIONS'));
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs `mockdrift ARGS` to completion (at most `timeoutMs`). */
export function runCli(args: readonly string[], options: CliOptions & { timeoutMs?: number }): Promise<CliResult> {
  const child = spawnCli(args, options);
  return child.exited(options.timeoutMs ?? 20_000);
}

/** A running `mockdrift` process. */
export interface RunningCli {
  readonly process: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (rejects after `timeoutMs` or on exit). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process ends; kills it after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<CliResult>;
}

export function spawnCli(args: readonly string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cliEnv(options.env), stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForLine(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = stdout.match(pattern);
          if (match) resolve(match);
          return match !== null;
        };
        if (check()) return;
        const onData = (): void => {
          if (check()) cleanup();
        };
        const onClose = (): void => {
          cleanup();
          reject(new Error(`mockdrift exited before printing ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`mockdrift did not print ${pattern} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          child.off('close', onClose);
        };
        child.stdout.on('data', onData);
        child.once('close', onClose);
      });
    },
    async exited(timeoutMs = 20_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await done;
      clearTimeout(timer);
      return result;
    },
  };
}
