import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareExchange } from '../../../src/capture/prepare-exchange.js';
import { Redactor } from '../../../src/capture/redactor.js';
import { loadFixtureFile } from '../../../src/formats/load-fixtures.js';
import { harToCaptured } from '../../../src/store/har.js';

const POLLY = '../shared/real-fixtures/files/polly/Netflix__pollyjs__examples__node-fetch__recordings__node-fetch_2851505768__should-work_3457346403__recording.har';
const exists = (() => {
  try {
    readFileSync(POLLY);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!exists)('a Polly.JS recording whose compressed body is kept as hex chunks', () => {
  it('loads as a fixture with the decoded JSON body, not the array of chunks', async () => {
    const [interaction] = await loadFixtureFile(POLLY, 'polly.har');
    expect(Array.isArray(interaction!.response.body)).toBe(false);
    expect(typeof interaction!.response.body).toBe('object');
  });

  it('imports as an exchange whose body is the decoded JSON', async () => {
    const har = JSON.parse(readFileSync(POLLY, 'utf8')) as unknown;
    const [captured] = harToCaptured(har, { service: 'polly', session: 's', file: 'polly.har' });
    const exchange = await prepareExchange(captured!, { redactor: new Redactor(), maxBodyBytes: 1024 * 1024 });
    expect(exchange.responseShape?.['$']?.types).toEqual(['object']);
  });
});
