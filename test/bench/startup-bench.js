// Start-up time of the CLI: the wall time of whole processes, median of several runs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/mockdrift', import.meta.url));

export function benchStartup({ runs, log }) {
  const results = [];
  for (const args of [['--version'], ['check', '--help']]) {
    const times = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      times.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`mockdrift ${args.join(' ')} exited ${result.status}`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    log(`  mockdrift ${args.join(' ')}: median ${median.toFixed(0)} ms`);
    results.push({ command: `mockdrift ${args.join(' ')}`, ms: median });
  }
  // Node alone, for scale: what no CLI can go below.
  const node = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    node.push(performance.now() - started);
  }
  node.sort((a, b) => a - b);
  results.push({ command: 'node -e 0 (for scale)', ms: node[Math.floor(node.length / 2)] });
  return results;
}
