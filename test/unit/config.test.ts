import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../src/config.js';
import { MockdriftError } from '../../src/model/errors.js';
import { jsonErrorLocation } from '../../src/model/json-location.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mockdrift-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: unknown): void {
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

/** The MockdriftError that `action` throws; fails the test when it throws anything else or nothing. */
function errorOf(action: () => unknown): MockdriftError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MockdriftError);
    return error as MockdriftError;
  }
  throw new Error('expected a MockdriftError, but nothing was thrown');
}

/** The location jsonErrorLocation gives for the error JSON.parse throws on `text`. */
function locate(text: string): string | undefined {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonErrorLocation(text, error);
  }
  throw new Error(`${JSON.stringify(text)} is valid JSON`);
}

describe('loadConfig: where the config comes from', () => {
  it('reads the file given explicitly, relative to the cwd', () => {
    write('custom.json', { target: 'http://localhost:4000', port: 8080 });
    expect(loadConfig('custom.json', dir)).toEqual({
      config: { target: 'http://localhost:4000', port: 8080 },
      source: 'custom.json',
    });
  });

  it('reads the file given explicitly by an absolute path', () => {
    write('custom.json', { db: 'x.sqlite' });
    const path = join(dir, 'custom.json');
    expect(loadConfig(path, '/')).toEqual({ config: { db: 'x.sqlite' }, source: path });
  });

  it('prefers the explicit file over the default file and package.json', () => {
    write('custom.json', { from: 'custom' });
    write(DEFAULT_CONFIG_FILE, { from: 'default' });
    write('package.json', { name: 'app', mockdrift: { from: 'package' } });
    expect(loadConfig('custom.json', dir).config).toEqual({ from: 'custom' });
  });

  it('fails with CONFIG_INVALID naming the file when the explicit file does not exist', () => {
    write(DEFAULT_CONFIG_FILE, { from: 'default' });
    const error = errorOf(() => loadConfig('missing.json', dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('missing.json');
    expect(error.message).toContain('ENOENT');
  });

  it('fails with CONFIG_INVALID when the explicit path is a directory', () => {
    mkdirSync(join(dir, 'config-dir'));
    const error = errorOf(() => loadConfig('config-dir', dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('config-dir');
  });

  it('picks up mockdrift.config.json from the cwd when no file is given', () => {
    write(DEFAULT_CONFIG_FILE, { target: 'https://sandbox.example.com', routes: ['/v1/charges/:id'] });
    expect(loadConfig(undefined, dir)).toEqual({
      config: { target: 'https://sandbox.example.com', routes: ['/v1/charges/:id'] },
      source: 'mockdrift.config.json',
    });
  });

  it('prefers mockdrift.config.json over the mockdrift key of package.json', () => {
    write(DEFAULT_CONFIG_FILE, { from: 'default' });
    write('package.json', { name: 'app', mockdrift: { from: 'package' } });
    expect(loadConfig(undefined, dir)).toEqual({ config: { from: 'default' }, source: 'mockdrift.config.json' });
  });

  it('falls back to the mockdrift key of package.json', () => {
    write('package.json', { name: 'app', version: '1.0.0', mockdrift: { db: 'recordings/app.sqlite' } });
    expect(loadConfig(undefined, dir)).toEqual({ config: { db: 'recordings/app.sqlite' }, source: 'package.json' });
  });

  it('finds nothing in a package.json without a mockdrift key', () => {
    write('package.json', { name: 'app' });
    expect(loadConfig(undefined, dir)).toEqual({ config: {}, source: null });
  });

  it('finds nothing in a broken package.json, leaving npm to report it', () => {
    write('package.json', '{ "name": ');
    expect(loadConfig(undefined, dir)).toEqual({ config: {}, source: null });
  });

  it('finds nothing in a package.json that is JSON null', () => {
    write('package.json', 'null');
    expect(loadConfig(undefined, dir)).toEqual({ config: {}, source: null });
  });

  it('returns an empty config and no source when there is nothing', () => {
    expect(loadConfig(undefined, dir)).toEqual({ config: {}, source: null });
  });

  it('names package.json "mockdrift" when the section there is invalid', () => {
    write('package.json', { name: 'app', mockdrift: { routes: '/v1/charges/:id' } });
    const error = errorOf(() => loadConfig(undefined, dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('package.json "mockdrift"');
    expect(error.message).toContain('"routes" must be an array');
  });
});

describe('loadConfig: invalid JSON', () => {
  it('names the file, line and column of a trailing comma on the third line', () => {
    write(DEFAULT_CONFIG_FILE, '{\n  "target": "http://localhost:4000",\n  "port": 8080,}\n');
    const error = errorOf(() => loadConfig(undefined, dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^mockdrift\.config\.json:3:16: invalid JSON: /);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('names the line and column of an unexpected token in an explicit file', () => {
    write('custom.json', '{\n  "target": "http://localhost:4000",\n  "port": 80 80\n}\n');
    const error = errorOf(() => loadConfig('custom.json', dir));
    expect(error.message).toMatch(/^custom\.json:3:14: invalid JSON: /);
  });

  it('names the line and column of a bare word where a value belongs', () => {
    write(DEFAULT_CONFIG_FILE, '{\n  "target": "http://localhost:4000",\n  "port": oops\n}\n');
    const error = errorOf(() => loadConfig(undefined, dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^mockdrift\.config\.json:3:11: invalid JSON: /);
  });

  it('names line 1 column 1 for an empty file', () => {
    write(DEFAULT_CONFIG_FILE, '');
    expect(errorOf(() => loadConfig(undefined, dir)).message).toMatch(/^mockdrift\.config\.json:1:1: invalid JSON: /);
  });
});

describe('loadConfig: validation', () => {
  function invalid(config: unknown): MockdriftError {
    write(DEFAULT_CONFIG_FILE, JSON.stringify(config));
    const error = errorOf(() => loadConfig(undefined, dir));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message.startsWith('mockdrift.config.json: ')).toBe(true);
    return error;
  }

  it.each([[[]], [null], ['text'], [42]])('rejects %j because the config must be an object', (config) => {
    expect(invalid(config).message).toContain('the config must be a JSON object');
  });

  it('accepts a full valid config', () => {
    const config = {
      db: 'recordings.sqlite',
      timeout: '30s',
      services: { payments: { target: 'http://localhost:4001', port: 0 }, shipping: { target: 'http://localhost:4002', port: 65535, host: '0.0.0.0' } },
      routes: ['/api/v1/shipments/:id'],
      redact: { headers: ['x-api-key'], values: ['sk_[a-z]+'], fields: 'secret|token' },
    };
    write(DEFAULT_CONFIG_FILE, config);
    expect(loadConfig(undefined, dir).config).toEqual(config);
  });

  it('rejects services that are not an object', () => {
    expect(invalid({ services: ['http://localhost:4001'] }).message).toContain('"services" must map service names');
    expect(invalid({ services: 'http://localhost:4001' }).message).toContain('"services" must map service names');
  });

  it('rejects a service without a target, naming it', () => {
    expect(invalid({ services: { payments: { port: 4001 } } }).message).toContain('services.payments.target');
    expect(invalid({ services: { payments: null } }).message).toContain('services.payments.target');
    expect(invalid({ services: { payments: { target: 4001 } } }).message).toContain('services.payments.target');
  });

  it.each([[70000], [65536], [-1], [1.5], ['8080']])('rejects the service port %j, naming it', (port) => {
    expect(invalid({ services: { payments: { target: 'http://localhost:4001', port } } }).message).toContain(
      'services.payments.port must be a port number',
    );
  });

  it.each([['/v1/charges/:id'], [['/v1/charges/:id', 3]], [{ charges: '/v1/charges/:id' }]])(
    'rejects routes %j because they are not an array of strings',
    (routes) => {
      expect(invalid({ routes }).message).toContain('"routes" must be an array of templates');
    },
  );

  it('rejects redact.headers that are not strings', () => {
    expect(invalid({ redact: { headers: ['authorization', 42] } }).message).toContain('redact.headers must be an array of header names');
    expect(invalid({ redact: { headers: 'authorization' } }).message).toContain('redact.headers must be an array of header names');
  });

  it('rejects redact.values that are not strings and redact.fields that is not a string', () => {
    expect(invalid({ redact: { values: [/x/.source, null] } }).message).toContain('redact.values must be an array');
    expect(invalid({ redact: { fields: ['secret'] } }).message).toContain('redact.fields must be a regular expression');
  });

  it('rejects redact that is not an object', () => {
    expect(invalid({ redact: 'authorization' }).message).toContain('"redact" must be an object');
    expect(invalid({ redact: null }).message).toContain('"redact" must be an object');
  });
});

describe('jsonErrorLocation', () => {
  it('locates a trailing comma before a closing brace', () => {
    expect(locate('{\n  "a": 1,\n  "b": 2,}')).toBe('3:10');
    expect(locate('{\n  "a": 1,\n  "b": 2,\n}\n')).toBe('4:1');
  });

  it('locates a missing comma between properties', () => {
    expect(locate('{\n  "a": 1\n  "b": 2\n}')).toBe('3:3');
  });

  it('locates an unexpected token in the middle of a file', () => {
    expect(locate('{\n  "a": 1,\n  "b": x,\n  "c": 3\n}')).toBe('3:8');
    expect(locate('{\n  "a": 1,\n  "b": ,\n  "c": 3\n}')).toBe('3:8');
    expect(locate('[1, 2,]')).toBe('1:7');
    expect(locate('{"k": @}')).toBe('1:7');
  });

  it('locates an unexpected token on the first line of a long single-line file', () => {
    const text = `{"list": [${'1, '.repeat(50)}],"x": 1}`;
    expect(locate(text)).toBe(`1:${text.indexOf(']') + 1}`);
  });

  it('locates an unexpected token among repeated lines', () => {
    const lines = ['{', ...Array.from({ length: 20 }, (_, i) => `  "k${i}": "same",`), '  "bad": "same",,', '  "end": 1', '}'];
    expect(locate(lines.join('\n'))).toBe('22:17');
  });

  it('locates a mistake inside 100,000 nested arrays or objects without overflowing the stack', () => {
    expect(locate('['.repeat(100_000) + 'x')).toBe('1:100001');
    expect(locate('{"a":'.repeat(100_000) + 'x')).toBe('1:500001');
  });

  it('locates text after the end of the value', () => {
    expect(locate('{"a": 1}\n}')).toBe('2:1');
  });

  it('locates an unterminated string and a bad control character', () => {
    expect(locate('{\n"a": "abc')).toBe('2:10');
    expect(locate('{\n"a": "b\n"}')).toBe('2:8');
  });

  it('locates an unexpected end of input just past the last character', () => {
    expect(locate('')).toBe('1:1');
    expect(locate('  \n  ')).toBe('2:3');
    expect(locate('{\n  "a": [1,')).toBe('2:11');
    expect(locate('{\n  "a": "x"')).toBe('2:11');
  });

  it('counts columns after a CRLF line break from the start of the line', () => {
    expect(locate('{\r\n  "a": 1,\r\n  "b": 2,}')).toBe('3:10');
  });

  it('uses line and column when the message gives them', () => {
    expect(jsonErrorLocation('whatever', new SyntaxError('Unexpected token in JSON at line 4 column 7'))).toBe('4:7');
  });

  it('counts from a position the message gives', () => {
    expect(jsonErrorLocation('ab\ncd', new SyntaxError('Unexpected token in JSON at position 4'))).toBe('2:2');
  });

  it('locates every JSON.parse error somewhere inside the text or just past its end', () => {
    const mangled = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '{', '[', ':', '"', 'x', '\n'), fc.nat({ max: 2 }))
      .map(([json, at, insert, cut]) => {
        const index = json.length === 0 ? 0 : at % json.length;
        return json.slice(0, index) + insert + json.slice(index + cut);
      });
    fc.assert(
      fc.property(fc.oneof(mangled, fc.string()), (text) => {
        let error: unknown;
        try {
          JSON.parse(text);
          return;
        } catch (caught) {
          error = caught;
        }
        const where = jsonErrorLocation(text, error);
        expect(where).toMatch(/^\d+:\d+$/);
        const [line, column] = where!.split(':').map(Number) as [number, number];
        const lines = text.split('\n');
        expect(line).toBeGreaterThanOrEqual(1);
        expect(line).toBeLessThanOrEqual(lines.length);
        expect(column).toBeGreaterThanOrEqual(1);
        expect(column).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
      }),
    );
  });

  it('gives no location for something that is not a JSON error', () => {
    expect(jsonErrorLocation('{}', 'not an error')).toBeUndefined();
    expect(jsonErrorLocation('{}', new Error('disk on fire'))).toBeUndefined();
  });
});
