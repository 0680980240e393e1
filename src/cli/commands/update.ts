import type { Argv, CommandModule } from 'yargs';
import type { CliContext, GlobalArgs } from '../context.js';
import { redactMessage } from '../safe-text.js';

interface UpdateArgs extends GlobalArgs {
  readonly fixtures?: string[];
  readonly service?: string;
  readonly dryRun: boolean;
}

export function updateCommand(context: CliContext): CommandModule<GlobalArgs, UpdateArgs> {
  return {
    command: 'update',
    describe: 'Rewrite drifted fixtures to match the recordings, keeping their values and layout; prints the diff',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('fixtures', { type: 'string', array: true, describe: 'Fixture files, directories or quoted globs (default: fixtures/)' })
        .option('service', { type: 'string', describe: 'Only this service' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print the diff, change nothing' })
        .example('$0 update --dry-run', 'Show what would change in fixtures/')
        .example("$0 update --fixtures 'test/mocks/**/*.json'", 'Rewrite the drifted mocks') as unknown as Argv<UpdateArgs>,
    handler: (args) => update(args, context),
  };
}

async function update(args: UpdateArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const { update } = await import('../../update/run-update.js');
  const result = await update({
    cwd: context.cwd,
    db: args.db,
    config: context.config,
    fixtures: args.fixtures ?? [],
    ...(args.service !== undefined ? { service: args.service } : {}),
    dryRun: args.dryRun,
  });
  // The diff quotes fixture lines: a fixture's own secrets (a pinned password) are not printed.
  for (const file of result.files) terminal.out(redactMessage(file.diff));
  const verb = args.dryRun ? 'would update' : 'updated';
  terminal.log(
    result.files.length === 0
      ? 'The fixtures match the recordings: nothing to update.'
      : `${verb} ${result.files.length} fixture file(s): ${result.files.map((file) => file.file).join(', ')}`,
  );
  for (const { finding, reason } of result.skipped) {
    terminal.warn(`not updated: ${[finding.kind, finding.path].filter(Boolean).join(' ')} in ${finding.fixture}:${finding.line} (${reason})`);
  }
  terminal.flush();
}
