import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, type CliResult } from '../support/cli.js';
import { request } from '../support/http-client.js';
import { tempDir } from '../support/temp-dir.js';
import { closedPort, startUpstream, type Upstream } from '../support/upstream.js';

/*
 * Planted secrets, hunted everywhere. Every secret below is random for this run; it is sent
 * through the real `mockdrift record` proxy to a real upstream in every place the security
 * model covers (credential headers outside the fixed list, query parameters, path segments,
 * multipart fields, XML, plain text, binary bodies, provider-shaped values under innocent names).
 * Then every command runs over the store — check in every report format and under GitHub
 * Actions, update, routes, export, prune — and the bytes of each secret are searched in the
 * .db, -wal and -shm files, every report file, the exported HAR, the fixture after update, and
 * stdout and stderr of every command. The counts say how many secrets were hunted in how many
 * places: a test that searched nothing cannot pass.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DIGITS = '0123456789';

function random(length: number, alphabet = ALNUM): string {
  let out = '';
  for (let index = 0; index < length; index += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A planted secret: the value sent, and the bytes that must never be found (its random part). */
interface Planted {
  readonly where: string;
  readonly value: string;
  readonly needle: string;
}

function planted(where: string, build: (needle: string) => string, needle = random(28)): Planted {
  return { where, value: build(needle), needle };
}

const jwtPart = (text: string): string => Buffer.from(text).toString('base64url');

// Credential headers outside the fixed list: matched by name.
const HEADER_SECRETS = [
  planted('header x-stripe-key', (n) => `stripe${n}`),
  planted('header private-token', (n) => `glpat-${n}`),
  planted('header x-goog-api-key', (n) => `AIza${n}${random(7)}`),
  planted('header x-amz-security-token', (n) => `FwoGZX${n}`),
  planted('header x-vault-token', (n) => `hvs.${n}`),
  planted('header x-access-token', (n) => n),
  planted('header x-csrf-token', (n) => n),
];
const HEADER_NAMES = ['x-stripe-key', 'private-token', 'x-goog-api-key', 'x-amz-security-token', 'x-vault-token', 'x-access-token', 'x-csrf-token'];

// Query parameters with generic credential names.
const QUERY_NAMES = ['key', 'sig', 'signature', 'X-Amz-Signature', 'code', 'access_token', 'session'];
const QUERY_SECRETS = QUERY_NAMES.map((name) => planted(`query ${name}`, (n) => n));

// Provider shapes under innocent names, in a JSON response body.
const SHAPE_SECRETS = [
  planted('OpenAI sk-proj- under "note"', (n) => `sk-proj-${n}${random(20)}`),
  planted('GitHub ghp_ under "ref"', (n) => `ghp_${n}${random(8)}`),
  planted('GitHub github_pat_ under "build"', (n) => `github_pat_${n}_${random(40)}`),
  planted('AWS AKIA under "account"', (n) => `AKIA${n}`, random(16, UPPER_DIGITS)),
  planted('Slack xoxb- under "channel"', (n) => `xoxb-${random(12, DIGITS)}-${n}`),
  planted('npm_ under "pkg"', (n) => `npm_${n}${random(8)}`),
  planted('GitLab glpat- under "repo"', (n) => `glpat-${n}`),
  planted('GCP AIza under "map"', (n) => `AIza${n}${random(7)}`),
  planted('PEM private key under "cert"', (n) => `-----BEGIN RSA PRIVATE KEY-----\nMIIE${n}\n${random(64)}\n-----END RSA PRIVATE KEY-----`),
  planted('basic auth URL under "callback"', (n) => `https://deploy:${n}@hooks.example.com/x`),
  planted('Stripe sk_live_ in a text sentence', (n) => `use sk_live_${n} for payouts`),
];
const SHAPE_FIELDS = ['note', 'ref', 'build', 'account', 'channel', 'pkg', 'repo', 'map', 'cert', 'callback', 'memo'];

// Path segments.
const PATH_KEY = planted('path segment sk_live_', (n) => `sk_live_${n}`);
const PATH_JWT = planted('path segment JWT', (n) => `${jwtPart('{"alg":"HS256"}')}.${jwtPart(`{"sub":"${n}"}`)}.${random(20)}`, random(20));
// The JWT's needle is inside its base64 payload: hunt the encoded form too.
const PATH_JWT_ENCODED: Planted = { where: 'path JWT payload', value: PATH_JWT.value, needle: PATH_JWT.value.split('.')[1]! };

// Bodies that are not JSON.
const MULTIPART_PASSWORD = planted('multipart field password', (n) => n);
const MULTIPART_API_KEY = planted('multipart field api_key', (n) => n);
const MULTIPART_FILE = planted('binary file part', (n) => n);
const XML_PASSWORD = planted('XML <password>', (n) => n);
const XML_TOKEN = planted('XML <apiToken> in the response', (n) => n);
const TEXT_AUTH = planted('plain text Authorization: Token', (n) => n);
const TEXT_FORM = planted('plain text api_key=', (n) => n);
const BINARY_RESPONSE = planted('binary response body', (n) => n);
const RESPONSE_HEADER = planted('response header x-upstream-session', (n) => n);

/** The fixture's own secret: pinned by a Pact fixture, never to be echoed. */
const FIXTURE_SECRET = planted('Pact fixture "password"', (n) => `fixture${n}`);
const FIXTURE_SHAPED = planted('Pact fixture "note" with a key', (n) => `sk-proj-${n}${random(20)}`);

const ALL_RECORDED: Planted[] = [
  ...HEADER_SECRETS,
  ...QUERY_SECRETS,
  ...SHAPE_SECRETS,
  PATH_KEY,
  PATH_JWT,
  PATH_JWT_ENCODED,
  MULTIPART_PASSWORD,
  MULTIPART_API_KEY,
  MULTIPART_FILE,
  XML_PASSWORD,
  XML_TOKEN,
  TEXT_AUTH,
  TEXT_FORM,
  BINARY_RESPONSE,
  RESPONSE_HEADER,
];
const FIXTURE_OWN: Planted[] = [FIXTURE_SECRET, FIXTURE_SHAPED];

function binaryWith(secret: string): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]), Buffer.from(secret), Buffer.from([0x00, 0xff, 0x81])]);
}

/** Where the secrets are hunted: name → bytes. */
const places = new Map<string, Buffer>();

function addPlace(name: string, content: string | Buffer): void {
  places.set(name, Buffer.isBuffer(content) ? content : Buffer.from(content));
}

function addCli(name: string, result: CliResult): void {
  addPlace(`${name} stdout`, result.stdout);
  addPlace(`${name} stderr`, result.stderr);
}

function addStore(name: string, dbPath: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(dbPath + suffix)) addPlace(`${name}${suffix}`, readFileSync(dbPath + suffix));
  }
}

/** Every (secret, place) pair where the secret's bytes were found. */
function hunt(secrets: readonly Planted[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const [place, bytes] of places) if (bytes.includes(secret.needle)) found.push(`${secret.where} in ${place}`);
  }
  return found;
}

const MULTIPART_BOUNDARY = 'mdBoundary7MA4YWxk';

function multipartBody(): Buffer {
  const part = (name: string, value: string | Buffer, extra = ''): Buffer =>
    Buffer.concat([
      Buffer.from(`--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n`),
      Buffer.isBuffer(value) ? value : Buffer.from(value),
      Buffer.from('\r\n'),
    ]);
  return Buffer.concat([
    part('username', 'ada'),
    part('password', MULTIPART_PASSWORD.value),
    part('api_key', MULTIPART_API_KEY.value),
    part('avatar', binaryWith(MULTIPART_FILE.value), '; filename="a.png"\r\nContent-Type: image/png'),
    Buffer.from(`--${MULTIPART_BOUNDARY}--\r\n`),
  ]);
}

describe('planted secrets, through record and every command over its store', () => {
  const dir = tempDir('mockdrift-leaks-');
  const cwd = dir.path;
  const dbPath = join(cwd, 'recordings', 'mockdrift.db');
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path.includes('/roll')) {
        const body: Record<string, unknown> = { id: 'key_1', label: 'rolled', password: FIXTURE_SECRET.value.replace('fixture', 'real') };
        SHAPE_SECRETS.forEach((secret, index) => (body[SHAPE_FIELDS[index]!] = secret.value));
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream-session': RESPONSE_HEADER.value });
        res.end(JSON.stringify(body));
      } else if (path.startsWith('/v1/sessions/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"active":true}');
      } else if (path === '/v1/upload') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"stored":true}');
      } else if (path === '/v1/soap') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0"?><result><user>ada</user><apiToken>${XML_TOKEN.value}</apiToken></result>`);
      } else if (path === '/v1/log') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`ok\napi_key=${TEXT_FORM.value}\n`);
      } else {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(binaryWith(BINARY_RESPONSE.value));
      }
    });

    mkdirSync(join(cwd, 'fixtures'), { recursive: true });
    writeFileSync(
      join(cwd, 'fixtures', 'keys.pact.json'),
      JSON.stringify(
        {
          consumer: { name: 'web' },
          provider: { name: 'keys' },
          interactions: [
            {
              description: 'roll a key',
              request: { method: 'GET', path: '/v1/keys/key_1/roll' },
              response: {
                status: 200,
                headers: { 'Content-Type': 'application/json' },
                body: { id: 'key_1', label: 'renewed', password: FIXTURE_SECRET.value, note: FIXTURE_SHAPED.value },
              },
            },
          ],
          metadata: { pactSpecification: { version: '2.0.0' } },
        },
        null,
        2,
      ),
    );

    // record, with every kind of planted secret.
    const record = spawnCli(['record', '--target', upstream.url, '--port', '0', '--service', 'keys'], { cwd });
    const [, proxyUrl] = await record.waitForLine(/mockdrift recording (http:\/\/\S+)/);
    const headers: Record<string, string> = {};
    HEADER_NAMES.forEach((name, index) => (headers[name] = HEADER_SECRETS[index]!.value));
    const query = QUERY_NAMES.map((name, index) => `${encodeURIComponent(name)}=${encodeURIComponent(QUERY_SECRETS[index]!.value)}`).join('&');
    await request(`${proxyUrl}/v1/keys/${PATH_KEY.value}/roll?${query}`, { headers });
    await request(`${proxyUrl}/v1/keys/key_1/roll`);
    await request(`${proxyUrl}/v1/sessions/${PATH_JWT.value}/info`);
    await request(`${proxyUrl}/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` },
      body: multipartBody(),
    });
    await request(`${proxyUrl}/v1/soap`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0"?><login><user>ada</user><password>${XML_PASSWORD.value}</password></login>`,
    });
    await request(`${proxyUrl}/v1/log`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `GET /x HTTP/1.1\nAuthorization: Token ${TEXT_AUTH.value}\n` });
    await request(`${proxyUrl}/v1/blob`);
    record.process.kill('SIGINT');
    const recorded = await record.exited();
    expect(recorded.code).toBe(0);
    addCli('record', recorded);
    addStore('store after record', dbPath);

    // Every report format, to stdout and to files, and under GitHub Actions.
    for (const format of ['text', 'json', 'junit', 'markdown', 'sarif', 'html']) {
      const result = await runCli(['check', '--format', format, '--fixtures', 'fixtures'], { cwd });
      expect(result.code, result.stderr).toBe(1);
      addCli(`check --format ${format}`, result);
    }
    const files = await runCli(
      ['check', '--fixtures', 'fixtures', '--report', 'html=r.html', '--report', 'junit=r.xml', '--report', 'sarif=r.sarif', '--report', 'markdown=r.md', '--report', 'json=r.json', '--output', 'r.txt'],
      { cwd },
    );
    addCli('check --report (all)', files);
    for (const file of ['r.html', 'r.xml', 'r.sarif', 'r.md', 'r.json', 'r.txt']) addPlace(`report file ${file}`, readFileSync(join(cwd, file)));
    const summary = join(cwd, 'step-summary.md');
    const actions = await runCli(['check', '--fixtures', 'fixtures'], { cwd, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    addCli('check under GitHub Actions', actions);
    addPlace('GitHub step summary', readFileSync(summary));

    const dryRun = await runCli(['update', '--fixtures', 'fixtures', '--dry-run'], { cwd });
    addCli('update --dry-run', dryRun);
    const update = await runCli(['update', '--fixtures', 'fixtures'], { cwd });
    addCli('update', update);
    addCli('routes', await runCli(['routes'], { cwd }));
    addCli('routes --format json', await runCli(['routes', '--format', 'json'], { cwd }));
    const exported = await runCli(['export', '--har', 'out.har'], { cwd });
    addCli('export', exported);
    addPlace('exported HAR', readFileSync(join(cwd, 'out.har')));
    addCli('prune --dry-run', await runCli(['prune', '--older-than', '1d', '--dry-run'], { cwd }));
    addStore('store after every command', dbPath);
  }, 120_000);

  afterAll(async () => {
    await upstream?.close();
    dir.remove();
  });

  it('stored what it was sent: 7 exchanges, 2 of them with the planted path and query', () => {
    const routes = JSON.parse(places.get('routes --format json stdout')!.toString()) as unknown;
    expect(JSON.stringify(routes)).toContain('/v1/keys/');
    expect(places.get('store after record')!.length).toBeGreaterThan(4096);
  });

  it(`finds none of the ${ALL_RECORDED.length} recorded secrets in any of the store files, reports, HAR, stdout or stderr`, () => {
    // 7 headers + 7 query parameters + 11 shapes + 2 path segments (and the JWT payload) + 9 in bodies and headers.
    expect(ALL_RECORDED).toHaveLength(37);
    // The .db, -wal, -shm twice, 8 checks (stdout+stderr), 6 report files, step summary, update ×2, routes ×2, export + HAR, prune, record.
    expect(places.size).toBeGreaterThanOrEqual(40);
    expect(hunt(ALL_RECORDED)).toEqual([]);
  });

  it('never echoes the fixture\'s own secrets in any report format, GitHub annotation or update, while other drift is reported', () => {
    const text = places.get('check --format text stdout')!.toString();
    // The innocent pinned literal did drift and is reported: the reports are not empty.
    expect(text).toContain('label');
    expect(text).toContain('rolled');
    expect(places.get('check under GitHub Actions stderr')!.toString()).toMatch(/::error /);
    const reportPlaces = [...places.keys()].filter((name) => !name.startsWith('store'));
    expect(reportPlaces.length).toBeGreaterThanOrEqual(30);
    expect(hunt(FIXTURE_OWN).filter((hit) => !hit.includes(' in store'))).toEqual([]);
    for (const name of reportPlaces) expect(places.get(name)!.toString(), name).not.toMatch(/value-changed[^\n]*\[REDACTED\]/);
  });

  it('update writes no [REDACTED] into the fixture and keeps the fixture\'s own secret', () => {
    const fixture = readFileSync(join(cwd, 'fixtures', 'keys.pact.json'), 'utf8');
    expect(fixture).not.toContain('[REDACTED]');
    expect(fixture).toContain(FIXTURE_SECRET.value);
    expect(fixture).toContain('"rolled"');
  });

  it('keeps the route template and the redacted shape of a secret path', () => {
    const db = places.get('store after every command')!.toString('latin1');
    expect(db).toContain('/v1/keys/[REDACTED]/roll');
    expect(db).toContain('/v1/sessions/[REDACTED]/info');
  });

  it('stores the binary response body as its size and digest only', () => {
    const har = JSON.parse(places.get('exported HAR')!.toString()) as { log: { entries: Array<{ request: { url: string }; response: { content: { size: number; text?: string } } }> } };
    const blob = har.log.entries.find((entry) => entry.request.url.endsWith('/v1/blob'))!;
    expect(blob.response.content.size).toBe(binaryWith(BINARY_RESPONSE.value).length);
    expect(blob.response.content.text ?? '').toBe('');
  });
});

describe('credentials in --target and probe --header', () => {
  const dir = tempDir('mockdrift-leaks-probe-');
  const cwd = dir.path;
  const dbPath = join(cwd, 'recordings', 'mockdrift.db');
  const password = `pw${random(26)}`;
  const token = `tok${random(26)}`;
  const results: Array<[string, CliResult]> = [];
  let upstream: Upstream;

  beforeAll(async () => {
    // The sandbox echoes what it was sent: a --header value must not come back in through a body.
    upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'ch_1', seen: String(req.headers['x-custom-token'] ?? '') }));
    });
    mkdirSync(join(cwd, 'fixtures'), { recursive: true });
    writeFileSync(join(cwd, 'fixtures', 'charge.json'), JSON.stringify({ request: { method: 'GET', path: '/v1/charges/ch_1' }, response: { status: 200, body: { id: 'ch_1', seen: 'x' } } }));
    const target = `http://ada:${password}@127.0.0.1:${upstream.port}`;
    results.push(['probe with --header', await runCli(['probe', '--target', `http://127.0.0.1:${upstream.port}`, '--header', 'X-Custom-Token: ${TOK}', '--fixtures', 'fixtures'], { cwd, env: { TOK: token } })]);
    results.push(['probe with userinfo', await runCli(['probe', '--target', target, '--fixtures', 'fixtures'], { cwd })]);
    const closed = await closedPort();
    results.push(['probe unreachable with userinfo', await runCli(['probe', '--target', `http://ada:${password}@127.0.0.1:${closed}`, '--fixtures', 'fixtures', '--retries', '0'], { cwd })]);
    const record = spawnCli(['record', '--target', target, '--port', '0'], { cwd });
    await record.waitForLine(/mockdrift recording/);
    record.process.kill('SIGINT');
    results.push(['record with userinfo', await record.exited()]);
    results.push(['bad target with userinfo', await runCli(['probe', '--target', `ftp://ada:${password}@127.0.0.1/`, '--fixtures', 'fixtures'], { cwd })]);
  }, 90_000);

  afterAll(async () => {
    await upstream?.close();
    dir.remove();
  });

  it('sends the --header to the sandbox but stores it, and its echo, only redacted', () => {
    expect(results[0]![1].code, results[0]![1].stderr).toBe(0);
    expect(upstream.requests.some((req) => req.headers['x-custom-token'] === token)).toBe(true);
    const store = Buffer.concat(['', '-wal', '-shm'].filter((s) => existsSync(dbPath + s)).map((s) => readFileSync(dbPath + s)));
    expect(store.length).toBeGreaterThan(0);
    expect(store.includes(token)).toBe(false);
    expect(store.toString('latin1')).toContain('x-custom-token');
  });

  it('prints the password of --target in no start-up line, summary or error (5 commands, stdout and stderr)', () => {
    expect(results).toHaveLength(5);
    expect(results[3]![1].stdout).toMatch(/mockdrift recording http:\/\/127\.0\.0\.1:\d+ -> http:\/\/127\.0\.0\.1:\d+/);
    expect(results[2]![1].code).not.toBe(0);
    expect(results[4]![1].code).toBe(2);
    const hits = results.flatMap(([name, result]) => [result.stdout, result.stderr].filter((text) => text.includes(password) || text.includes(token)).map(() => name));
    expect(hits).toEqual([]);
  });
});
