import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../support/cli.js';

const WORKFLOW = new URL('../../../examples/github-actions/mockdrift.yml', import.meta.url);

interface Step {
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, { readonly if?: string; readonly steps: Step[] }>;
}

const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow;

/** The `mockdrift` command lines of the workflow, folded onto one line each. */
function mockdriftCommands(): string[][] {
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .flatMap((step) => (step.run ?? '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.includes('npx mockdrift'))
    .map((line) => line.slice(line.indexOf('npx mockdrift') + 'npx mockdrift'.length).replace(/\s*\|\|.*$/, ''))
    .map((line) => line.trim().split(/\s+/));
}

describe('the example GitHub Actions workflow', () => {
  it('runs a scheduled sandbox probe and a check on ordinary builds', () => {
    expect(workflow.on).toHaveProperty('schedule');
    expect(Object.keys(workflow.jobs)).toEqual(['sandbox-drift', 'mock-check']);
    const probe = workflow.jobs['sandbox-drift']!.steps.map((step) => step.run ?? '').join('\n');
    expect(probe).toMatch(/mockdrift probe/);
    expect(probe).toMatch(/--check/);
    expect(probe).toMatch(/secrets|SANDBOX_TOKEN/);
    const uploads = workflow.jobs['sandbox-drift']!.steps.filter((step) => step.uses?.startsWith('actions/upload-artifact'));
    expect(String(uploads[0]?.with?.['path'])).toMatch(/\.html[\s\S]*\.xml/);
  });

  it('uses only flags that mockdrift accepts', async () => {
    const commands = mockdriftCommands();
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const [command, ...args] of commands) {
      const help = await runCli([command!, '--help'], { cwd: process.cwd() });
      expect(help.code).toBe(0);
      for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(help.stdout).toContain(flag.split('=')[0]);
    }
  });
});
