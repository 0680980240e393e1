import type { Argv, CommandModule } from 'yargs';
import type { MockdriftConfig } from '../config.js';

/** Config keys that are sections of their own rather than defaults for flags. */
export const CONFIG_SECTIONS = new Set(['services', 'redact', 'routes', 'ignore', 'enums', 'baseline', 'headers', '$schema']);

/** The prefix of the environment variables that set flags. */
const ENV_PREFIX = 'MOCKDRIFT_';

/** The flags each command takes (kebab-case names and aliases), and those every command takes. */
export interface FlagCatalogue {
  readonly global: ReadonlySet<string>;
  readonly commands: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Where flag defaults come from, for the warnings. */
export interface DefaultSources {
  readonly config: MockdriftConfig;
  /** How the config file is named in messages (`mockdrift.config.json`, `package.json "mockdrift"`). */
  readonly configSource: string | null;
  readonly env: NodeJS.ProcessEnv;
}

/** Flag defaults for one command, and the warnings about keys no command takes. */
export interface FlagDefaults {
  readonly defaults: Record<string, unknown>;
  readonly warnings: string[];
}

/**
 * Builds each command's options on a scratch parser to learn its flags, so that the catalogue is
 * never a second list to keep in step with the commands.
 */
export function flagCatalogue(
  makeParser: () => Argv,
  globalOptions: (parser: Argv) => Argv,
  commands: ReadonlyArray<CommandModule<never, never>>,
): FlagCatalogue {
  const flagsOf = (build: (parser: Argv) => unknown): Set<string> => {
    const parser = makeParser();
    build(parser);
    const options = (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
    return new Set(Object.keys(options.key).map(kebab));
  };
  const global = flagsOf(globalOptions);
  const map = new Map<string, Set<string>>();
  for (const command of commands) {
    const name = String(command.command).split(' ')[0]!;
    const builder = command.builder;
    map.set(name, typeof builder === 'function' ? flagsOf((parser) => (builder as (y: Argv) => unknown)(parser)) : new Set());
  }
  return { global, commands: map };
}

/**
 * The defaults that the config file and the `MOCKDRIFT_*` variables give the command being run:
 * only the keys it takes (the environment wins over the config file; flags win over both, as
 * yargs applies these only to flags not typed). A key another command takes is left alone, so
 * that one config serves every command; a key no command takes is a warning naming its source.
 */
export function flagDefaults(command: string | undefined, catalogue: FlagCatalogue, sources: DefaultSources): FlagDefaults {
  const everywhere = new Set(catalogue.global);
  for (const flags of catalogue.commands.values()) for (const flag of flags) everywhere.add(flag);
  const mine = new Set([...catalogue.global, ...(command !== undefined ? (catalogue.commands.get(command) ?? []) : [])]);
  const defaults: Record<string, unknown> = {};
  const warnings: string[] = [];
  const take = (key: string, value: unknown, source: string): void => {
    const flag = kebab(key);
    if (mine.has(flag)) defaults[flag] = value;
    else if (!everywhere.has(flag)) warnings.push(`${source}: no mockdrift command takes "${key}" (--${flag}); ignored`);
  };
  const shown = sources.configSource ?? 'the config';
  for (const [key, value] of Object.entries(sources.config)) {
    if (!CONFIG_SECTIONS.has(key)) take(key, value, shown);
  }
  for (const [name, value] of Object.entries(sources.env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const key = name.slice(ENV_PREFIX.length).toLowerCase().replace(/_/g, '-');
    // MOCKDRIFT_CONFIG is read before parsing; it names the config, like --config.
    if (key === 'config' || key === '') continue;
    take(key, value, `the environment variable ${name}`);
  }
  return { defaults, warnings };
}

/**
 * The command a raw argument list runs: its first word that is not a flag or a global flag's
 * value. `undefined` when there is none (`mockdrift --help`).
 */
export function commandOf(argv: readonly string[], valueFlags: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && valueFlags.has(arg.replace(/^-+/, ''))) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

/** `maxBody` and `max_body` → `max-body`. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`).replace(/_/g, '-');
}
