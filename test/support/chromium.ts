import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Debian's chromium: .ci/run installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';

const run = promisify(execFile);

/**
 * Runs headless Chromium on `url` with a throwaway profile below `profileRoot` and no network
 * chatter (background networking, component updates and sync off); returns what it printed.
 */
export async function headlessChromium(profileRoot: string, url: string, args: readonly string[]): Promise<string> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: this test needs Debian's chromium (apt-get update && apt-get install -y chromium)`);
  }
  const profile = join(profileRoot, `profile-${Math.random().toString(36).slice(2)}`);
  mkdirSync(profile);
  const { stdout } = await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      ...args,
      url,
    ],
    { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}
