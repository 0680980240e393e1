import type { Argv, CommandModule } from 'yargs';
import type { CliContext, GlobalArgs } from '../context.js';
import { parseDuration } from '../values.js';
import { existingStore } from '../open-store.js';

interface PruneArgs extends GlobalArgs {
  readonly olderThan: number;
  readonly dryRun: boolean;
}

export function pruneCommand(context: CliContext): CommandModule<GlobalArgs, PruneArgs> {
  return {
    command: 'prune',
    describe: 'Delete recordings older than a duration, with the bodies and shapes only they used',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('older-than', {
          type: 'string',
          demandOption: true,
          describe: 'Delete exchanges recorded longer ago than this (e.g. 30d)',
          coerce: (v) => parseDuration('older-than', v),
        })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Only print what would be deleted' })
        .example('$0 prune --older-than 30d', 'Keep the last 30 days of recordings')
        .example('$0 prune --older-than 2w --dry-run', 'What a two-week retention would delete') as unknown as Argv<PruneArgs>,
    handler: (args) => prune(args, context),
  };
}

async function prune(args: PruneArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const [{ openRecordingStore }, { isPostgresLocation, storeLabel }] = await Promise.all([
    import('../../store/open-recording-store.js'),
    import('../../store/store-location.js'),
  ]);
  // Opening for writing would create a missing store; a shared store must answer before anything is deleted.
  const path = existingStore(context.cwd, args.db);
  if (isPostgresLocation(path)) openRecordingStore(path, { readonly: true, env: context.env }).close();
  const cutoff = Date.now() - args.olderThan;
  const store = openRecordingStore(path, { env: context.env });
  try {
    const result = store.prune(cutoff, { dryRun: args.dryRun });
    const what =
      `${result.exchanges} exchanges recorded before ${new Date(cutoff).toISOString()} from ${storeLabel(args.db)}` +
      ` (and ${result.bodies} bodies, ${result.shapes} shapes no other exchange uses)`;
    terminal.out(args.dryRun ? `would prune ${what}; nothing was deleted (--dry-run)` : `pruned ${what}`);
  } finally {
    store.close();
  }
}
