import { describe, expect, it } from 'vitest';
import { commandOf, flagDefaults, type FlagCatalogue } from '../../../src/cli/flag-defaults.js';

const catalogue: FlagCatalogue = {
  global: new Set(['config', 'db', 'quiet', 'verbose', 'help', 'version']),
  commands: new Map([
    ['check', new Set(['fixtures', 'fail-on', 'max-age'])],
    ['probe', new Set(['target', 'timeout', 'fixtures'])],
    ['routes', new Set(['format', 'service'])],
  ]),
};

describe('flagDefaults', () => {
  it("keeps the keys the command takes, leaves other commands' keys alone and warns about the rest", () => {
    const result = flagDefaults('check', catalogue, {
      config: { db: 'x.db', timeout: '5s', maxAge: '7d', services: {}, ignore: ['$.a'], tiemout: 1 },
      configSource: 'mockdrift.config.json',
      env: { MOCKDRIFT_FAIL_ON: 'warning', MOCKDRIFT_TARGET: 'http://127.0.0.1:1', MOCKDRIFT_NOPE: '1', MOCKDRIFT_CONFIG: 'c.json', PATH: '/bin' },
    });
    expect(result.defaults).toEqual({ db: 'x.db', 'max-age': '7d', 'fail-on': 'warning' });
    expect(result.warnings).toEqual([
      'mockdrift.config.json: no mockdrift command takes "tiemout" (--tiemout); ignored',
      'the environment variable MOCKDRIFT_NOPE: no mockdrift command takes "nope" (--nope); ignored',
    ]);
  });

  it('lets the environment win over the config file', () => {
    const result = flagDefaults('probe', catalogue, { config: { timeout: '5s' }, configSource: null, env: { MOCKDRIFT_TIMEOUT: '9s' } });
    expect(result.defaults).toEqual({ timeout: '9s' });
  });
});

describe('commandOf', () => {
  it.each([
    [['check', '--fixtures', 'a'], 'check'],
    [['--db', 'x.db', 'routes'], 'routes'],
    [['--config=c.json', '-q', 'probe'], 'probe'],
    [['--help'], undefined],
    [['--', 'check'], undefined],
  ])('finds the command of %j', (argv, command) => {
    expect(commandOf(argv, new Set(['config', 'db']))).toBe(command);
  });
});
