import type { Argv, CommandModule } from 'yargs';
import type { CliContext, GlobalArgs } from '../context.js';
import { emitReport, reportOptions, type FailOn, type ReportFormatName } from '../report-output.js';
import { parseDuration } from '../values.js';

export { failed } from '../report-output.js';

interface CheckArgs extends GlobalArgs {
  readonly fixtures?: string[];
  readonly service?: string;
  readonly format: ReportFormatName;
  readonly output?: string;
  readonly report?: Array<{ format: ReportFormatName; file: string }>;
  readonly failOn: FailOn;
  readonly ignore?: string[];
  readonly requireCoverage: boolean;
  readonly since?: number;
  readonly maxAge?: number;
  readonly spec?: string;
  readonly baseline?: string;
  readonly writeBaseline?: string;
}

export function checkCommand(context: CliContext): CommandModule<GlobalArgs, CheckArgs> {
  return {
    command: 'check',
    describe: 'Compare the recordings with your fixtures and report the drift',
    builder: (yargs: Argv<GlobalArgs>) =>
      reportOptions(
        yargs
          .option('fixtures', { type: 'string', array: true, describe: 'Fixture files, directories or quoted globs (default: fixtures/)' })
          .option('service', { type: 'string', describe: 'Only this service (fixtures and recordings)' }),
      )
        .option('ignore', { type: 'string', array: true, describe: 'Body paths to leave alone, e.g. $.meta.request_id or $..updated_at' })
        .option('require-coverage', { type: 'boolean', default: false, describe: 'Fixtures with no matching recording count as breaking' })
        .option('since', { type: 'string', describe: 'Only recordings newer than this count (e.g. 7d)', coerce: (v) => parseDuration('since', v) })
        .option('spec', { type: 'string', describe: "The provider's OpenAPI document as reality: fixtures are checked against it, with or without recordings" })
        .option('max-age', { type: 'string', describe: 'Warn when the newest matching recording is older (e.g. 30d)', coerce: (v) => parseDuration('max-age', v) })
        .option('baseline', { type: 'string', describe: 'Accepted drift: report it apart and fail only on new findings (default file: mockdrift-baseline.json)', coerce: baselineFlag })
        .option('write-baseline', { type: 'string', describe: 'Accept the current breaking and warning findings into this file (default: mockdrift-baseline.json)', coerce: baselineFlag })
        .example('$0 check', 'Check fixtures/ against recordings/mockdrift.db')
        .example('$0 check --write-baseline', 'Accept today\'s drift into mockdrift-baseline.json; commit it')
        .example('$0 check --baseline', 'Fail only on drift the baseline does not accept')
        .example("$0 check --fixtures 'test/mocks/**/*.json' --format json -o drift.json", 'Machine-readable report in a file')
        .example('$0 check --report html=drift.html --report junit=drift.xml', 'Text on the console, HTML and JUnit files for CI')
        .example('$0 check --service payments --fail-on warning --max-age 7d', 'Stricter, for one service')
        .example('$0 check --spec openapi.yaml --fixtures mocks/', 'Mocks against the provider\'s OpenAPI document, no recordings needed') as unknown as Argv<CheckArgs>,
    handler: (args) => check(args, context),
  };
}

/** `--baseline` alone means the default file (''); a config `"baseline": true` too. */
function baselineFlag(value: unknown): string {
  return value === true || value === 'true' ? '' : String(value ?? '');
}

function baselineOf(file: string | undefined): { baseline?: string } {
  return file === undefined ? {} : { baseline: file };
}

async function check(args: CheckArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const { check } = await import('../../check.js');
  const report = await check({
    cwd: context.cwd,
    db: args.db,
    config: context.config,
    fixtures: args.fixtures ?? [],
    ...(args.service !== undefined ? { service: args.service } : {}),
    ignore: args.ignore ?? [],
    ...(args.since !== undefined ? { since: args.since } : {}),
    ...(args.maxAge !== undefined ? { maxAge: args.maxAge } : {}),
    requireCoverage: args.requireCoverage,
    ...(args.spec !== undefined ? { spec: args.spec } : {}),
  });
  const { applyBaselineFlags } = await import('../baseline-file.js');
  const { report: judged, written } = applyBaselineFlags(
    report,
    { ...baselineOf(args.baseline ?? context.config.baseline), ...(args.writeBaseline !== undefined ? { writeBaseline: args.writeBaseline } : {}) },
    context.cwd,
  );
  if (written) terminal.log(`baseline written to ${written.file} (${written.entries} accepted finding${written.entries === 1 ? '' : 's'})`);
  await emitReport(
    judged,
    { format: args.format, ...(args.output !== undefined ? { output: args.output } : {}), reports: args.report ?? [], failOn: args.failOn },
    context,
    terminal,
  );
}
