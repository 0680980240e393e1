import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../support/cli.js';

const WORKFLOW = new URL('../../../examples/github-actions/mockdrift-rerecord.yml', import.meta.url);

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, { readonly steps: Step[] }>;
}

const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

/** The `mockdrift` command lines of the workflow, folded onto one line each. */
function mockdriftCommands(): string[][] {
  return steps
    .flatMap((step) => (step.run ?? '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.includes('npx mockdrift'))
    .map((line) => line.slice(line.indexOf('npx mockdrift') + 'npx mockdrift'.length).replace(/\s*\|\|.*$/, ''))
    .map((line) => line.trim().split(/\s+/));
}

describe('the example nightly re-record workflow', () => {
  it('probes the sandbox, writes the Markdown report, updates the fixtures and opens one pull request with the report as its description', () => {
    expect(workflow.on).toHaveProperty('schedule');
    expect(workflow.permissions).toMatchObject({ contents: 'write', 'pull-requests': 'write' });
    const commands = mockdriftCommands().map(([command]) => command);
    expect(commands).toEqual(['probe', 'check', 'update']);
    const check = mockdriftCommands()[1]!.join(' ');
    expect(check).toContain('--format markdown');
    expect(check).toContain('--output mockdrift-report.md');
    const pullRequest = steps.find((step) => step.uses?.startsWith('peter-evans/create-pull-request'));
    expect(pullRequest?.with?.['body-path']).toBe('mockdrift-report.md');
    // A fixed branch: a later run updates the open pull request instead of opening another.
    expect(pullRequest?.with?.['branch']).toBe('mockdrift/re-record');
    expect(steps.findIndex((step) => step === pullRequest)).toBeGreaterThan(steps.findIndex((step) => (step.run ?? '').includes('mockdrift update')));
  });

  it('uses only flags that mockdrift accepts', async () => {
    for (const [command, ...args] of mockdriftCommands()) {
      const help = await runCli([command!, '--help'], { cwd: process.cwd() });
      expect(help.code).toBe(0);
      const flags = args.filter((arg) => arg.startsWith('--'));
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags) expect(help.stdout, `${command} ${flag}`).toContain(flag.split('=')[0]);
    }
  });
});
