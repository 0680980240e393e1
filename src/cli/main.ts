import { readFileSync } from 'node:fs';
import { MockdriftError } from '../model/errors.js';
import { DEFAULT_STORE_PATH } from '../store/recording-store.js';
import { checkCommand } from './commands/check.js';
import { probeCommand } from './commands/probe.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { historyCommand } from './commands/history.js';
import { importCommand } from './commands/import.js';
import { pruneCommand } from './commands/prune.js';
import { recordCommand } from './commands/record.js';
import { updateCommand } from './commands/update.js';
import { routesCommand } from './commands/routes.js';
import type { Argv, CommandModule } from 'yargs';
import { loadConfig } from '../config.js';
import { createContext } from './context.js';
import { commandOf, flagCatalogue, flagDefaults } from './flag-defaults.js';
import { reportError, verboseFlag } from './report-error.js';
import { Terminal } from './terminal.js';

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
    const loaded = loadConfig(configFlag(argv) ?? env['MOCKDRIFT_CONFIG'], cwd);
    const context = createContext(loaded.config, cwd, env);
    const { default: yargs } = await import('yargs');
    const commands = [
      recordCommand(context),
      checkCommand(context),
      probeCommand(context),
      routesCommand(context),
      historyCommand(context),
      importCommand(context),
      exportCommand(context),
      pruneCommand(context),
      updateCommand(context),
      demoCommand(context),
    ] as unknown as Array<CommandModule<never, never>>;
    const catalogue = flagCatalogue(() => yargs([]), globalOptions, commands);
    const command = commandOf(argv, GLOBAL_VALUE_FLAGS);
    const { defaults, warnings } = flagDefaults(command, catalogue, {
      config: loaded.config,
      configSource: loaded.source === 'package.json' ? 'package.json "mockdrift"' : loaded.source,
      env,
    });
    // The demo keeps its recordings only where a flag or variable says: a project's config `db`
    // is the project's store, not a place for example traffic.
    if (command === 'demo' && env['MOCKDRIFT_DB'] === undefined) delete defaults['db'];
    if (warnings.length > 0) {
      const terminal = new Terminal({ env });
      for (const warning of warnings) terminal.warn(warning);
    }
    let parser = globalOptions(yargs([...argv]))
      .scriptName('mockdrift')
      .usage('$0 <command> [options]\n\nCatch drift between your HTTP mock fixtures and what the real sandbox returns.')
      // Only the keys this command takes: a config shared by every command must not break any.
      .config(defaults)
      // yargs's own `conflicts` counts the `false` defaults as given.
      .check((args) => !(args.quiet && args.verbose) || 'Use --quiet or --verbose, not both.');
    for (const command of commands) parser = parser.command(command as CommandModule);
    await parser
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
    process.exitCode = reportError(error, new Terminal({ env, verbose: verboseFlag(argv, env) }));
  }
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

/** The global flags that take a value: the word after them is not a command. */
const GLOBAL_VALUE_FLAGS = new Set(['config', 'db']);

/** The flags every command takes. */
function globalOptions(parser: Argv): Argv {
  return parser
    .option('config', {
      type: 'string',
      describe: 'JSON config file (default: mockdrift.config.json, or the "mockdrift" key of package.json)',
    })
    .option('db', { type: 'string', default: DEFAULT_STORE_PATH, describe: 'Recordings store: a SQLite file, or a postgres:// URL (shared store)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Print only results and errors' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Print debug details' }) as unknown as Argv;
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
