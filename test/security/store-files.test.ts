import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRecordingStore } from '../../src/store/sqlite-recording-store.js';
import { recordInto } from '../corpus/harness.js';
import { runCli, spawnCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

/*
 * The store file: somebody else's file is refused and left byte for byte as it was, by every
 * command; pruned rows leave no readable trace in the file, which shrinks after a large prune;
 * HAR import redacts what record would.
 */

const digest = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a non-empty file that is not a mockdrift store is refused by every command, untouched', () => {
  const dir = tempDir('mockdrift-foreign-');
  const cwd = dir.path;

  beforeAll(() => {
    const users = new Database(join(cwd, 'users.db'));
    users.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('ada@example.com');");
    users.pragma('user_version = 7');
    users.close();
    chmodSync(join(cwd, 'users.db'), 0o644);
    writeFileSync(join(cwd, 'notes.txt'), 'not a database at all\n');
    writeFileSync(join(cwd, 'a.har'), JSON.stringify({ log: { version: '1.2', entries: [] } }));
    mkdirSync(join(cwd, 'fixtures'));
    writeFileSync(join(cwd, 'fixtures', 'a.json'), JSON.stringify({ request: { method: 'GET', path: '/a' }, response: { status: 200, body: {} } }));
  });
  afterAll(() => dir.remove());

  const commands: ReadonlyArray<readonly string[]> = [
    ['import', 'a.har'],
    ['check', '--fixtures', 'fixtures'],
    ['update', '--fixtures', 'fixtures'],
    ['routes'],
    ['export', '--har', 'out.har'],
    ['prune', '--older-than', '1d'],
    ['probe', '--target', 'http://127.0.0.1:9', '--fixtures', 'fixtures', '--retries', '0'],
  ];

  for (const file of ['users.db', 'notes.txt']) {
    it(`${file}: ${commands.length} commands and record exit 2 naming it; bytes, mode and neighbours unchanged`, async () => {
      const path = join(cwd, file);
      const before = digest(path);
      const mode = statSync(path).mode & 0o777;
      const refused: string[] = [];
      for (const args of commands) {
        const result = await runCli([...args, '--db', file], { cwd });
        if (result.code === 2 && result.stderr.includes(file) && /not a mockdrift recordings store/.test(result.stderr)) refused.push(args[0]!);
        else refused.push(`${args[0]} NOT REFUSED: ${result.code} ${result.stderr}`);
      }
      const record = spawnCli(['record', '--target', 'http://127.0.0.1:9', '--port', '0', '--db', file], { cwd });
      const recorded = await record.exited(15_000);
      refused.push(recorded.code === 2 && recorded.stderr.includes(file) ? 'record' : `record NOT REFUSED: ${recorded.code} ${recorded.stderr}`);
      expect(refused).toEqual(['import', 'check', 'update', 'routes', 'export', 'prune', 'probe', 'record']);
      expect(digest(path)).toBe(before);
      expect(statSync(path).mode & 0o777).toBe(mode);
      expect(existsSync(`${path}-wal`) || existsSync(`${path}-shm`) || existsSync(`${path}-journal`)).toBe(false);
      expect(existsSync(join(cwd, 'out.har'))).toBe(false);
    }, 120_000);
  }

  it('an empty file and a missing path still become stores (the control case)', async () => {
    writeFileSync(join(cwd, 'empty.db'), '');
    expect((await runCli(['import', 'a.har', '--db', 'empty.db'], { cwd })).code).toBe(0);
    expect((await runCli(['import', 'a.har', '--db', 'new/store.db'], { cwd })).code).toBe(0);
    expect(readFileSync(join(cwd, 'empty.db')).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});

describe('prune deletes securely and gives the space back', () => {
  const dir = tempDir('mockdrift-prune-secure-');
  const dbPath = join(dir.path, 'store.db');
  afterAll(() => dir.remove());

  it('leaves no byte of 400 pruned bodies in the .db/-wal/-shm, and the file shrinks by more than half', async () => {
    const old = Date.UTC(2020, 0, 1);
    const marker = (index: number): string => `prunedMarker${index.toString().padStart(4, '0')}Zq8`;
    await recordInto(
      dbPath,
      Array.from({ length: 400 }, (_, index) => ({
        method: 'GET',
        path: `/v1/old/${index}`,
        status: 200,
        recordedAt: old + index,
        body: { note: marker(index), filler: 'f'.repeat(8000 + index) },
      })),
    );
    await recordInto(dbPath, [{ method: 'GET', path: '/v1/new', status: 200, recordedAt: Date.now(), body: { keep: 'keptMarkerQ7' } }]);
    const sizeBefore = statSync(dbPath).size;
    const store = SqliteRecordingStore.open(dbPath);
    const result = store.prune(Date.now() - 86_400_000);
    store.close();
    expect(result.exchanges).toBe(400);
    expect(result.bodies).toBe(400);
    const bytes = Buffer.concat(['', '-wal', '-shm'].filter((suffix) => existsSync(dbPath + suffix)).map((suffix) => readFileSync(dbPath + suffix)));
    const left = Array.from({ length: 400 }, (_, index) => marker(index)).filter((needle) => bytes.includes(needle));
    expect(left).toEqual([]);
    expect(bytes.includes('keptMarkerQ7')).toBe(true);
    expect(statSync(dbPath).size).toBeLessThan(sizeBefore / 2);
  });
});

describe('HAR import redacts what record redacts', () => {
  const dir = tempDir('mockdrift-har-secrets-');
  const cwd = dir.path;
  afterAll(() => dir.remove());

  it('custom credential headers, multipart and form passwords: none of 6 secrets in the store or the exported HAR', async () => {
    const secrets = ['vaultTok9xQ2mZr7', 'gitlabTok4Lp8Vw2', 'csrfTok6Hn3Jk5s', 'multipartPw7Qa1Zx', 'multipartKey3Rt9', 'paramPw5Yu2Io8'];
    const boundary = 'harBoundary42';
    const multipart = [
      `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${secrets[3]}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n${secrets[4]}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const entry = (url: string, headers: Array<{ name: string; value: string }>, postData: unknown) => ({
      startedDateTime: '2026-04-17T10:00:00.000Z',
      time: 5,
      request: { method: 'POST', url, httpVersion: 'HTTP/1.1', headers, queryString: [], cookies: [], headersSize: -1, bodySize: -1, postData },
      response: { status: 201, statusText: 'Created', httpVersion: 'HTTP/1.1', headers: [{ name: 'content-type', value: 'application/json' }], cookies: [], content: { size: 2, mimeType: 'application/json', text: '{}' }, redirectURL: '', headersSize: -1, bodySize: -1 },
      cache: {},
      timings: { send: 0, wait: 5, receive: 0 },
    });
    writeFileSync(
      join(cwd, 'in.har'),
      JSON.stringify({
        log: {
          version: '1.2',
          creator: { name: 'test', version: '1' },
          entries: [
            entry(
              'https://sandbox.example/v1/upload',
              [
                { name: 'X-Vault-Token', value: secrets[0]! },
                { name: 'Private-Token', value: secrets[1]! },
                { name: 'X-CSRF-Token', value: secrets[2]! },
                { name: 'Content-Type', value: `multipart/form-data; boundary=${boundary}` },
              ],
              { mimeType: `multipart/form-data; boundary=${boundary}`, text: multipart },
            ),
            entry('https://sandbox.example/v1/login', [], { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'user', value: 'ada' }, { name: 'password', value: secrets[5]! }] }),
          ],
        },
      }),
    );
    const imported = await runCli(['import', 'in.har'], { cwd });
    expect(imported.code, imported.stderr).toBe(0);
    const exported = await runCli(['export', '--har', 'out.har'], { cwd });
    expect(exported.code, exported.stderr).toBe(0);
    const db = join(cwd, 'recordings', 'mockdrift.db');
    const places = [db, `${db}-wal`, `${db}-shm`, join(cwd, 'out.har')].filter((file) => existsSync(file)).map((file) => readFileSync(file));
    places.push(Buffer.from(imported.stdout + imported.stderr + exported.stdout + exported.stderr));
    expect(places.length).toBeGreaterThanOrEqual(3);
    const found = secrets.filter((secret) => places.some((bytes) => bytes.includes(secret)));
    expect(found).toEqual([]);
    const har = readFileSync(join(cwd, 'out.har'), 'utf8');
    expect(har).toContain('x-vault-token');
    expect(har.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(6);
  });
});
