/**
 * The script of one of the capture threads (`capture-worker`, `checkpoint-worker`), which sit
 * beside this module. A thread always runs the compiled JavaScript: when this module itself is
 * loaded from TypeScript sources (under the test runner), that is the build in `dist/`.
 */
export function workerScript(name: 'capture-worker' | 'checkpoint-worker'): URL {
  return import.meta.url.endsWith('.ts') ? new URL(`../../dist/capture/${name}.js`, import.meta.url) : new URL(`./${name}.js`, import.meta.url);
}
