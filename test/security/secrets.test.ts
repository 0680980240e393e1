import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check.js';
import { REPORT_FORMATTERS } from '../../src/report/formatters.js';
import { runCli, spawnCli } from '../support/cli.js';
import { rawRequest, request } from '../support/http-client.js';
import { startRecorder, type Recorder } from '../support/recorder.js';
import { tempDir } from '../support/temp-dir.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/*
 * Secrets never reach the disk, the reports or the logs. A random token is put where secrets go
 * — a secret header, a query parameter, a secret JSON field at any depth (arrays included), a
 * JWT in an innocent field — and sent through the real proxy to a real upstream. After the
 * capture worker has written it, the raw bytes of the database and its WAL must not hold the
 * token, nor must any report of a check over that store. Then the same through the CLI: the
 * `record` log, configured extra patterns, `import` of a HAR and `probe`.
 */

const RUNS = { numRuns: 50, interruptAfterTimeLimit: 20_000 } as const;

/** 24–40 letters and digits: long enough never to appear in a database by chance. */
const token = fc.stringMatching(/^[A-Za-z0-9]{24,40}$/);

/** The raw bytes of the store and its write-ahead log. */
function rawStore(dbPath: string): Buffer {
  const parts = [dbPath, `${dbPath}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
  return Buffer.concat(parts);
}

function base64url(value: string): string {
  return Buffer.from(value).toString('base64url');
}

/** A JWT-looking value whose payload and signature carry the token. */
function jwtOf(secret: string): string {
  return `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(`{"sub":"${secret}"}`)}.${secret}`;
}

const ITEMS = '[]';
type PathStep = string; // a key, or ITEMS for "inside an array"

/** `{ data: [{ user: { [field]: value } }] }` for path `['data', ITEMS, 'user']`, with innocent siblings at every level. */
function nest(path: readonly PathStep[], field: string, value: string): unknown {
  let inner: unknown = { [field]: value, label: 'innocent', count: 3 };
  for (const step of [...path].reverse()) inner = step === ITEMS ? [inner, { label: 'other item' }] : { [step]: inner, status: 'ok' };
  return inner;
}

/** The JSONPath of the field `nest` puts at `path`. */
function pathOf(path: readonly PathStep[], field: string): string {
  const key = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(name) ? `.${name}` : `['${name}']`);
  return `$${path.map((step) => (step === ITEMS ? '[*]' : key(step))).join('')}${key(field)}`;
}

const nesting = fc.array(fc.oneof(fc.constantFrom('data', 'user', 'meta', 'payment', 'results'), fc.constant(ITEMS)), { maxLength: 4 });

/** Where the secret goes. */
type Placement =
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'set-cookie' }
  | { readonly kind: 'query'; readonly name: string }
  | { readonly kind: 'json'; readonly side: 'request' | 'response'; readonly field: string; readonly path: PathStep[] }
  | { readonly kind: 'jwt'; readonly side: 'request' | 'response'; readonly field: string; readonly path: PathStep[] };

const placement: fc.Arbitrary<Placement> = fc.oneof(
  fc.record({ kind: fc.constant('header' as const), name: fc.constantFrom('authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'x-auth-token') }),
  fc.constant({ kind: 'set-cookie' as const }),
  fc.record({ kind: fc.constant('query' as const), name: fc.constantFrom('api_key', 'token', 'access_token', 'apiKey', 'client_secret', 'password') }),
  fc.record({
    kind: fc.constant('json' as const),
    side: fc.constantFrom('request' as const, 'response' as const),
    field: fc.constantFrom('password', 'secret', 'token', 'api_key', 'card_number', 'apiKey', 'clientSecret', 'access-token', 'cvc', 'ssn'),
    path: nesting,
  }),
  fc.record({
    kind: fc.constant('jwt' as const),
    side: fc.constantFrom('request' as const, 'response' as const),
    field: fc.constantFrom('note', 'description', 'next', 'message', 'id'),
    path: nesting,
  }),
);

/** What the upstream answers next: set by a run before it sends its request. */
let nextAnswer: { body: unknown; headers: Record<string, string> } = { body: { ok: true }, headers: {} };

let upstream: Upstream;
let recorder: Recorder;
let work: ReturnType<typeof tempDir>;
let run = 0;

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...nextAnswer.headers }).end(JSON.stringify(nextAnswer.body));
  });
  recorder = await startRecorder(upstream.url);
  work = tempDir('mockdrift-secrets-');
});

afterAll(async () => {
  await recorder?.stop();
  await upstream?.close();
  work?.remove();
});

/** A route of its own for each run (lower-case letters: never taken for an id). */
function routeWord(index: number): string {
  let word = '';
  let n = index;
  do {
    word += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return `case${word}`;
}

describe('secrets never reach the store, the reports or the logs', () => {
  it('a random token in any secret place: not in the raw .db/-wal bytes, nor in any report of a check over the store (property, real proxy)', async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(token, placement, async (secret, where) => {
        cases += 1;
        const route = `/v1/${routeWord(run++)}`;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        let query = '';
        let requestBody: unknown = { hello: 'world' };
        let responseBody: unknown = { ok: true, items: [{ sku: 'A1' }] };
        let responseHeaders: Record<string, string> = {};
        let secretPath: string | undefined; // where the secret sits in the response body
        /** What must not be found: the token, and the whole value it was sent in. */
        const forbidden = [secret];

        switch (where.kind) {
          case 'header': {
            const value = where.name.endsWith('authorization') ? `Bearer ${secret}` : where.name === 'cookie' ? `theme=dark; sid=${secret}` : secret;
            headers[where.name] = value;
            break;
          }
          case 'set-cookie':
            responseHeaders = { 'set-cookie': `sid=${secret}; Path=/; HttpOnly` };
            break;
          case 'query':
            query = `?page=2&${where.name}=${secret}&q=widgets`;
            break;
          case 'json':
          case 'jwt': {
            const value = where.kind === 'jwt' ? jwtOf(secret) : secret;
            forbidden.push(value);
            const body = nest(where.path, where.field, value);
            if (where.side === 'request') requestBody = body;
            else {
              responseBody = body;
              secretPath = pathOf(where.path, where.field);
            }
            break;
          }
        }

        nextAnswer = { body: responseBody, headers: responseHeaders };
        const response = await request(`${recorder.proxy.url}${route}${query}`, { method: 'POST', headers, body: JSON.stringify(requestBody) });
        expect(response.status).toBe(200);
        await recorder.writer.flush();

        const raw = rawStore(recorder.dbPath);
        expect(raw.length).toBeGreaterThan(0);
        for (const value of forbidden) expect(raw.includes(value), `${value} in the store (${JSON.stringify(where)})`).toBe(false);

        // A check over the store, with a fixture whose secret field is pinned by `enums`.
        const fixtureBody = secretPath ? JSON.parse(JSON.stringify(responseBody).replaceAll(forbidden.at(-1)!, 'fixture-value')) : { ok: true };
        const fixture = join(work.path, `fixture-${run}.json`);
        writeFileSync(fixture, JSON.stringify({ request: { method: 'POST', path: route }, response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: fixtureBody } }, null, 2));
        const report = await runCheck({ cwd: work.path, db: recorder.dbPath, config: { enums: secretPath ? [secretPath] : [] }, fixtures: [fixture] });
        const rendered = Object.entries(REPORT_FORMATTERS).map(([format, formatter]) => [format, formatter.render(report)] as const);
        for (const [format, text] of rendered) {
          for (const value of forbidden) expect(text.includes(value), `${value} in the ${format} report`).toBe(false);
        }
        // Reality holds the secret only redacted: it is never compared, so the fixture's own value
        // is echoed nowhere and no value-changed names the marker.
        if (secretPath) {
          expect(report.findings.filter((finding) => finding.kind === 'value-changed')).toEqual([]);
          for (const [format, text] of rendered) expect(text.includes('fixture-value'), `fixture's value in the ${format} report`).toBe(false);
        }
      }),
      RUNS,
    );
    console.log(`secrets: ${cases} property cases run through the real proxy`);
  }, 60_000);
});

describe('through the CLI', () => {
  let cli: ReturnType<typeof tempDir>;
  let sandbox: Upstream;
  const secrets = {
    bearer: 'bEaReR7f3kq9Zx2LmN4pQ8rS1tU6vW0y',
    cookie: 'c0okieVal9u8y7t6r5e4w3q2a1s2d3f4',
    query: 'qUeRy5ecret1234567890abcdefghij',
    token: 'qTokEn5ecret0987654321zyxwvutsrq',
    password: 'pAsSw0rdHunter2CorrectHorseBattery',
    jwt: jwtOf('jWtSubject0123456789abcdefghijkl'),
    refused: 'rEfUsEd0123456789abcdefghijklmnop',
    session: 'sEsSiOn0123456789abcdefghijklmnop',
    iban: 'DE89370400440532013000XYZWVUTS',
    account: 'acct_Zq9Xw8Vu7Ts6Rq5Po4Nm3Lk2',
  };

  beforeAll(async () => {
    sandbox = await startUpstream((req, res, body) => {
      // Echoes the request body, so secrets travel back in the response too.
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `sid=${secrets.cookie}; Path=/` });
      res.end(body.length > 0 ? body : JSON.stringify({ ok: true, path: req.url }));
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeAll(() => {
    cli = tempDir('mockdrift-secrets-cli-');
  });
  afterAll(() => cli?.remove());

  /** Runs `mockdrift record` in `cwd`, sends `send` through it, stops it; returns stdout, stderr and the store's bytes. */
  async function recordWith(cwd: string, send: (url: string) => Promise<void>): Promise<{ stdout: string; stderr: string; raw: Buffer }> {
    const running = spawnCli(['record', '--target', sandbox.url, '--port', '0', '--verbose'], { cwd });
    const [, url] = await running.waitForLine(/mockdrift recording (\S+) ->/);
    await send(url!);
    running.process.kill('SIGTERM');
    const result = await running.exited();
    expect(result.code).toBe(0);
    return { stdout: result.stdout, stderr: result.stderr, raw: rawStore(join(cwd, 'recordings', 'mockdrift.db')) };
  }

  describe('mockdrift record, run once with secrets in headers, query strings, bodies and a refused request', () => {
    let recorded: { stdout: string; stderr: string; raw: Buffer };
    const sent = { bearer: secrets.bearer, cookie: secrets.cookie, query: secrets.query, token: secrets.token, password: secrets.password, jwt: secrets.jwt, refused: secrets.refused };

    beforeAll(async () => {
      const cwd = join(cli.path, 'record');
      mkdirSync(cwd);
      recorded = await recordWith(cwd, async (url) => {
        await request(`${url}/v1/me?api_key=${secrets.query}&page=1`, { headers: { authorization: `Bearer ${secrets.bearer}`, cookie: `sid=${secrets.cookie}` } });
        await request(`${url}/v1/login?token=${secrets.token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'ada', password: secrets.password, note: secrets.jwt }),
        });
        // A forward-proxy request is refused, and logged as such.
        const { port } = new URL(url);
        await rawRequest(Number(port), `GET http://127.0.0.2:9/steal?token=${secrets.refused} HTTP/1.1\r\nHost: 127.0.0.2\r\nConnection: close\r\n\r\n`);
      });
    }, 20_000);

    it('leaves no secret in the store', () => {
      expect(recorded.raw.includes('Bearer [REDACTED]')).toBe(true);
      for (const [name, value] of Object.entries(sent)) expect(recorded.raw.includes(value), `${name} in the store`).toBe(false);
    });

    it('prints no secret in its log lines (stdout and stderr: one line per exchange, refused requests)', () => {
      expect(recorded.stderr).toMatch(/POST \/v1\/login/); // the log lines are there…
      expect(recorded.stderr).toMatch(/refused GET/);
      for (const [name, value] of Object.entries(sent)) {
        expect(recorded.stdout.includes(value), `${name} on stdout`).toBe(false);
        expect(recorded.stderr.includes(value), `${name} in the log:\n${recorded.stderr}`).toBe(false); // …the secrets are not
      }
    });
  });

  it('configured patterns (redact.headers, redact.fields, redact.values in mockdrift.config.json) keep those values out of the store', async () => {
    const cwd = join(cli.path, 'configured');
    mkdirSync(cwd);
    writeFileSync(
      join(cwd, 'mockdrift.config.json'),
      JSON.stringify({ redact: { headers: ['x-session'], fields: '(?:^|_)(?:iban)$', values: ['acct_[A-Za-z0-9]{8,}'] } }),
    );
    const { raw } = await recordWith(cwd, async (url) => {
      await request(`${url}/v1/transfers?ref=${secrets.account}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-session': secrets.session },
        body: JSON.stringify({ iban: secrets.iban, payer: { customer_iban: secrets.iban }, memo: `from ${secrets.account} with thanks`, account: secrets.account }),
      });
    });
    expect(raw.includes('[REDACTED]')).toBe(true);
    for (const value of [secrets.session, secrets.iban, secrets.account]) expect(raw.includes(value), value).toBe(false);
  });

  it('mockdrift import: a HAR full of secrets leaves none in the store', async () => {
    const cwd = join(cli.path, 'import');
    mkdirSync(cwd);
    const entry = {
      startedDateTime: '2026-04-01T09:00:00.000Z',
      time: 12,
      request: {
        method: 'POST',
        url: `https://sandbox.example/v1/login?access_token=${secrets.query}&page=1`,
        httpVersion: 'HTTP/1.1',
        headers: [
          { name: 'Authorization', value: `Bearer ${secrets.bearer}` },
          { name: 'Cookie', value: `sid=${secrets.cookie}` },
          { name: 'Content-Type', value: 'application/json' },
        ],
        queryString: [{ name: 'access_token', value: secrets.query }],
        cookies: [{ name: 'sid', value: secrets.cookie }],
        postData: { mimeType: 'application/json', text: JSON.stringify({ user: 'ada', password: secrets.password }) },
        headersSize: -1,
        bodySize: -1,
      },
      response: {
        status: 200,
        statusText: 'OK',
        httpVersion: 'HTTP/1.1',
        headers: [
          { name: 'Content-Type', value: 'application/json' },
          { name: 'Set-Cookie', value: `sid=${secrets.cookie}; Path=/` },
        ],
        cookies: [{ name: 'sid', value: secrets.cookie }],
        content: { mimeType: 'application/json', size: 10, text: JSON.stringify({ access_token: secrets.token, id_token: secrets.jwt, note: `token ${secrets.jwt}` }) },
        redirectURL: '',
        headersSize: -1,
        bodySize: -1,
      },
      cache: {},
      timings: { send: 0, wait: 12, receive: 0 },
    };
    writeFileSync(join(cwd, 'session.har'), JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries: [entry] } }));
    const result = await runCli(['import', 'session.har'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const raw = rawStore(join(cwd, 'recordings', 'mockdrift.db'));
    expect(raw.includes('[REDACTED]')).toBe(true);
    for (const [name, value] of Object.entries({ bearer: secrets.bearer, cookie: secrets.cookie, query: secrets.query, password: secrets.password, token: secrets.token, jwt: secrets.jwt })) {
      expect(raw.includes(value), `${name} in the store`).toBe(false);
    }
    expect(result.stdout + result.stderr).not.toContain(secrets.bearer);
  });

  describe('mockdrift probe with a --header bearer token and a secret query in a fixture', () => {
    let probed: { code: number | null; stderr: string; raw: Buffer };

    beforeAll(async () => {
      const cwd = join(cli.path, 'probe');
      mkdirSync(join(cwd, 'fixtures'), { recursive: true });
      writeFileSync(
        join(cwd, 'fixtures', 'me.json'),
        JSON.stringify({ request: { method: 'GET', path: `/v1/me?api_key=${secrets.query}&page=1` }, response: { status: 200, body: { ok: true } } }, null, 2),
      );
      const result = await runCli(['probe', '--target', sandbox.url, '--header', 'Authorization: Bearer ${SANDBOX_TOKEN}', '--verbose'], {
        cwd,
        env: { SANDBOX_TOKEN: secrets.bearer },
      });
      probed = { code: result.code, stderr: result.stderr, raw: rawStore(join(cwd, 'recordings', 'mockdrift.db')) };
    }, 20_000);

    it('sends them to the sandbox and leaves neither in the store', () => {
      expect(probed.code, probed.stderr).toBe(0);
      expect(sandbox.requests.some((received) => received.headers.authorization === `Bearer ${secrets.bearer}`)).toBe(true); // it was sent…
      expect(sandbox.requests.some((received) => received.url.includes(secrets.query))).toBe(true);
      expect(probed.raw.includes('[REDACTED]')).toBe(true);
      for (const value of [secrets.bearer, secrets.query, secrets.cookie]) expect(probed.raw.includes(value), `${value} in the store`).toBe(false); // …and not stored
    });

    it('prints neither in its log lines', () => {
      expect(probed.stderr).toMatch(/GET \/v1\/me/);
      for (const value of [secrets.bearer, secrets.query, secrets.cookie]) expect(probed.stderr.includes(value), `${value} in the log:\n${probed.stderr}`).toBe(false);
    });
  });
});
