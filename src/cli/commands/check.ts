import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { atLeast, type Report, type Severity } from '../../model/finding.js';
import { describeError, MockdriftError } from '../../model/errors.js';
import type { CliContext, GlobalArgs } from '../context.js';
import { parseDuration } from '../values.js';

/** Formats `--format` accepts (kept here so that `--help` does not load the formatters). */
const FORMATS = ['text', 'json'] as const;
const FAIL_ON = ['breaking', 'warning', 'info', 'never'] as const;

interface CheckArgs extends GlobalArgs {
  readonly fixtures?: string[];
  readonly service?: string;
  readonly format: (typeof FORMATS)[number];
  readonly output?: string;
  readonly failOn: (typeof FAIL_ON)[number];
  readonly ignore?: string[];
  readonly requireCoverage: boolean;
  readonly since?: number;
  readonly maxAge?: number;
}

export function checkCommand(context: CliContext): CommandModule<GlobalArgs, CheckArgs> {
  return {
    command: 'check',
    describe: 'Compare the recordings with your fixtures and report the drift',
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option('fixtures', { type: 'string', array: true, describe: 'Fixture files, directories or quoted globs (default: fixtures/)' })
        .option('service', { type: 'string', describe: 'Only this service (fixtures and recordings)' })
        .option('format', { choices: FORMATS, default: 'text' as const, describe: 'Report format' })
        .option('output', { alias: 'o', type: 'string', describe: 'Write the report to this file instead of stdout' })
        .option('fail-on', { choices: FAIL_ON, default: 'breaking' as const, describe: 'Exit 1 when a finding is at least this severe' })
        .option('ignore', { type: 'string', array: true, describe: 'Body paths to leave alone, e.g. $.meta.request_id or $..updated_at' })
        .option('require-coverage', { type: 'boolean', default: false, describe: 'Fixtures with no matching recording count as breaking' })
        .option('since', { type: 'string', describe: 'Only recordings newer than this count (e.g. 7d)', coerce: (v) => parseDuration('since', v) })
        .option('max-age', { type: 'string', describe: 'Warn when the newest matching recording is older (e.g. 30d)', coerce: (v) => parseDuration('max-age', v) })
        .example('$0 check', 'Check fixtures/ against recordings/mockdrift.db')
        .example("$0 check --fixtures 'test/mocks/**/*.json' --format json -o drift.json", 'Machine-readable report in a file')
        .example('$0 check --service payments --fail-on warning --max-age 7d', 'Stricter, for one service') as unknown as Argv<CheckArgs>,
    handler: (args) => check(args, context),
  };
}

async function check(args: CheckArgs, context: CliContext): Promise<void> {
  const terminal = context.terminal(args);
  const [{ runCheck }, { REPORT_FORMATTERS }] = await Promise.all([import('../check-runner.js'), import('../../report/formatters.js')]);
  const report = await runCheck({
    cwd: context.cwd,
    db: args.db,
    config: context.config,
    fixtures: args.fixtures ?? [],
    ...(args.service !== undefined ? { service: args.service } : {}),
    ignore: args.ignore ?? [],
    ...(args.since !== undefined ? { sinceMs: args.since } : {}),
    ...(args.maxAge !== undefined ? { maxAgeMs: args.maxAge } : {}),
    requireCoverage: args.requireCoverage,
  });
  const formatter = REPORT_FORMATTERS[args.format]!;
  if (args.output !== undefined) {
    const path = resolve(context.cwd, args.output);
    try {
      writeFileSync(path, formatter.render(report));
    } catch (error) {
      throw new MockdriftError('USAGE', `Cannot write the report to ${args.output}: ${describeError(error)}`, { cause: error });
    }
    terminal.log(`report written to ${args.output}`);
    if (args.format !== 'text') terminal.log(summaryText(report));
  } else {
    terminal.out(formatter.render(report, { color: args.format === 'text' && terminal.color }));
  }
  terminal.flush();
  process.exitCode = failed(report, args.failOn) ? 1 : 0;
}

/** Whether the report fails the build under `--fail-on`. */
export function failed(report: Report, failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  return report.findings.some((finding) => atLeast(finding.severity, failOn));
}

function summaryText(report: Report): string {
  const s = report.summary;
  return `${s.fixtures} fixture interactions (${s.verified} verified): ${s.breaking} breaking, ${s.warning} warning, ${s.info} info`;
}
