import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeError, MockdriftError } from './model/errors.js';
import { jsonErrorLocation } from './model/json-location.js';

/** The config file read when `--config` is not given (SPEC §3). */
export const DEFAULT_CONFIG_FILE = 'mockdrift.config.json';

/** One sandbox of a multi-service `record`. */
export interface ServiceConfig {
  readonly target: string;
  /** Globs of the fixtures that mock this service (for fixtures that do not name it). */
  readonly fixtures?: readonly string[];
  /** Port of this service's proxy. Default: 0 (a free port). */
  readonly port?: number;
  readonly host?: string;
}

/**
 * The config file: every CLI flag may be set here under its own name (`db`, `target`,
 * `timeout`, …); the sections below have no flag.
 */
export interface MockdriftConfig {
  /** Sandboxes recorded by one `mockdrift record` without `--target`, by service name. */
  readonly services?: Readonly<Record<string, ServiceConfig>>;
  /** Extra redaction rules. */
  readonly redact?: {
    readonly headers?: readonly string[];
    readonly fields?: string;
    readonly values?: readonly string[];
    /** Bodies that cannot be scanned: `digest` (default) stores size and digest only, `keep` their bytes. */
    readonly binaryBodies?: 'digest' | 'keep';
  };
  /** Route templates, tried before the id heuristics: `["/api/v1/shipments/:id"]`. */
  readonly routes?: readonly string[];
  /** Body paths a check ignores: `"$.meta.request_id"`, or `{ "route": "GET /x", "paths": [...] }`. */
  readonly ignore?: ReadonlyArray<string | { readonly route: string; readonly paths: readonly string[] }>;
  /** Body paths whose fixture values must be values reality produces: `["$.status"]`. */
  readonly enums?: readonly string[];
  /** The baseline file `check` judges against, as `--baseline FILE` (read by `check` only, so other commands do not trip over it). */
  readonly baseline?: string;
  /** Response headers that matter even in recorded fixtures (nock, HAR, …), besides content-type and location. */
  readonly headers?: readonly string[];
  readonly [flag: string]: unknown;
}

/** Where the config came from, for messages. */
export interface LoadedConfig {
  readonly config: MockdriftConfig;
  readonly source: string | null;
}

/**
 * Reads the config: the file named by `--config` (which must exist), else `mockdrift.config.json`
 * in `cwd` when present, else the `mockdrift` key of `cwd`'s package.json, else nothing.
 * @throws MockdriftError `CONFIG_INVALID` naming the file and the line:column of a JSON error.
 */
export function loadConfig(explicitPath: string | undefined, cwd: string): LoadedConfig {
  if (explicitPath !== undefined) {
    return { config: parseConfig(readConfigFile(resolve(cwd, explicitPath), explicitPath, true)!, explicitPath), source: explicitPath };
  }
  const defaultText = readConfigFile(resolve(cwd, DEFAULT_CONFIG_FILE), DEFAULT_CONFIG_FILE, false);
  if (defaultText !== undefined) return { config: parseConfig(defaultText, DEFAULT_CONFIG_FILE), source: DEFAULT_CONFIG_FILE };
  const packageText = readConfigFile(resolve(cwd, 'package.json'), 'package.json', false);
  if (packageText !== undefined) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(packageText);
    } catch {
      // A broken package.json is npm's problem to report, not ours; it just holds no config.
      return { config: {}, source: null };
    }
    const section = (manifest as { mockdrift?: unknown } | null)?.mockdrift;
    if (section !== undefined) return { config: validateConfig(section, 'package.json "mockdrift"'), source: 'package.json' };
  }
  return { config: {}, source: null };
}

function readConfigFile(path: string, shown: string, required: boolean): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MockdriftError('CONFIG_INVALID', `Cannot read the config file ${shown}: ${describeError(error)}`, { cause: error });
  }
}

function parseConfig(text: string, shown: string): MockdriftConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const where = jsonErrorLocation(text, error);
    throw new MockdriftError('CONFIG_INVALID', `${shown}${where ? `:${where}` : ''}: invalid JSON: ${describeError(error)}`, { cause: error });
  }
  return validateConfig(parsed, shown);
}

function validateConfig(value: unknown, shown: string): MockdriftConfig {
  const fail = (message: string): never => {
    throw new MockdriftError('CONFIG_INVALID', `${shown}: ${message}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('the config must be a JSON object');
  const config = value as MockdriftConfig;
  if (config.services !== undefined) {
    if (typeof config.services !== 'object' || config.services === null || Array.isArray(config.services)) {
      fail('"services" must map service names to { "target": URL, "port": number }');
    }
    for (const [name, service] of Object.entries(config.services)) {
      if (typeof service?.target !== 'string') fail(`services.${name}.target must be the sandbox's URL`);
      if (service.fixtures !== undefined && !isStringArray(service.fixtures)) fail(`services.${name}.fixtures must be an array of globs`);
      if (service.port !== undefined && (!Number.isInteger(service.port) || service.port < 0 || service.port > 65535)) {
        fail(`services.${name}.port must be a port number (0 picks a free one)`);
      }
    }
  }
  if (config.routes !== undefined && (!Array.isArray(config.routes) || config.routes.some((route) => typeof route !== 'string'))) {
    fail('"routes" must be an array of templates such as "/api/v1/shipments/:id"');
  }
  if (config.enums !== undefined && !isStringArray(config.enums)) fail('"enums" must be an array of body paths such as "$.status"');
  if (config.baseline !== undefined && (typeof config.baseline !== 'string' || config.baseline === '')) fail('"baseline" must be the baseline file, e.g. "mockdrift-baseline.json"');
  if (config.headers !== undefined && !isStringArray(config.headers)) fail('"headers" must be an array of response header names such as "x-request-id"');
  if (config.ignore !== undefined) {
    const valid =
      Array.isArray(config.ignore) &&
      config.ignore.every((rule) => typeof rule === 'string' || (typeof rule?.route === 'string' && isStringArray(rule.paths)));
    if (!valid) fail('"ignore" must be an array of paths ("$.meta.request_id") or { "route": "GET /x", "paths": [...] }');
  }
  const redact = config.redact;
  if (redact !== undefined) {
    if (typeof redact !== 'object' || redact === null) fail('"redact" must be an object');
    if (redact.headers !== undefined && !isStringArray(redact.headers)) fail('redact.headers must be an array of header names');
    if (redact.values !== undefined && !isStringArray(redact.values)) fail('redact.values must be an array of regular expressions');
    if (redact.fields !== undefined && typeof redact.fields !== 'string') fail('redact.fields must be a regular expression');
    if (redact.binaryBodies !== undefined && redact.binaryBodies !== 'digest' && redact.binaryBodies !== 'keep') fail('redact.binaryBodies must be "digest" or "keep"');
  }
  return config;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
