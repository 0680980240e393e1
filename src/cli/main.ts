import { readFileSync } from 'node:fs';
import { describeError, isMockdriftError, MockdriftError } from '../model/errors.js';
import { DEFAULT_STORE_PATH } from '../store/recording-store.js';
import { checkCommand } from './commands/check.js';
import { probeCommand } from './commands/probe.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { pruneCommand } from './commands/prune.js';
import { recordCommand } from './commands/record.js';
import { updateCommand } from './commands/update.js';
import { routesCommand } from './commands/routes.js';
import { loadConfig, type MockdriftConfig } from './config.js';
import { createContext } from './context.js';
import { Terminal } from './terminal.js';

/** Config keys that are sections of their own rather than defaults for flags. */
const CONFIG_SECTIONS = new Set(['services', 'redact', 'routes', 'ignore', 'enums', '$schema']);

/**
 * Runs the mockdrift CLI. Sets `process.exitCode` (SPEC §6): 0 success, 1 drift, 2 usage or
 * input error, 3 could not check.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<void> {
  try {
    if (argv.length === 1 && argv[0] === '--version') {
      // The one call that scripts make often: answered before yargs (most of start-up) loads.
      process.stdout.write(`${packageVersion()}\n`);
      return;
    }
    const { config } = loadConfig(configFlag(argv) ?? env['MOCKDRIFT_CONFIG'], cwd);
    const context = createContext(config, cwd, env);
    const { default: yargs } = await import('yargs');
    await yargs([...argv])
      .scriptName('mockdrift')
      .usage('$0 <command> [options]\n\nCatch drift between your HTTP mock fixtures and what the real sandbox returns.')
      .env('MOCKDRIFT')
      .config(flagDefaults(config))
      .option('config', {
        type: 'string',
        describe: 'JSON config file (default: mockdrift.config.json, or the "mockdrift" key of package.json)',
      })
      .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'Recordings store: a SQLite file, or a postgres:// URL (shared store)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only results and errors' })
      .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Print debug details' })
      // yargs's own `conflicts` counts the `false` defaults as given.
      .check((args) => !(args.quiet && args.verbose) || 'Use --quiet or --verbose, not both.')
      .command(recordCommand(context))
      .command(checkCommand(context))
      .command(probeCommand(context))
      .command(routesCommand(context))
      .command(importCommand(context))
      .command(exportCommand(context))
      .command(pruneCommand(context))
      .command(updateCommand(context))
      .command(demoCommand(context))
      .demandCommand(1, 'Name a command: mockdrift <command> --help shows how to use each.')
      .recommendCommands()
      .strict()
      .help()
      .alias('help', 'h')
      .version(packageVersion())
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .epilogue('Every flag may also be set as MOCKDRIFT_<FLAG> or in the config file. Docs: README.md')
      .fail((message, error) => {
        // A handler's own error passes through; anything yargs says is a usage error.
        if (error && !isYargsError(error)) throw error;
        throw new MockdriftError('USAGE', message ?? error?.message ?? 'invalid usage');
      })
      .parseAsync();
  } catch (error) {
    process.exitCode = report(error, new Terminal({ env }));
  }
}

function report(error: unknown, terminal: Terminal): number {
  if (isMockdriftError(error)) {
    terminal.error(error.code === 'USAGE' ? `${error.message}\nRun "mockdrift --help" for usage.` : error.message);
    return error.exitCode;
  }
  terminal.error(`mockdrift stopped on an unexpected error: ${describeError(error)}`);
  if (error instanceof Error && error.stack) terminal.debug(error.stack);
  return 2;
}

function isYargsError(error: Error): boolean {
  return error.name === 'YError';
}

/** `--config FILE` or `--config=FILE` from raw arguments: the config must be read before parsing. */
function configFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--config') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/** The config keys that set flags; sections such as `services` are read by the commands. */
function flagDefaults(config: MockdriftConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !CONFIG_SECTIONS.has(key)));
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
