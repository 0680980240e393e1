import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check.js';
import type { MockdriftConfig } from '../../src/config.js';
import type { Finding } from '../../src/model/finding.js';
import { recordInto, type RecordingSpec } from '../corpus/harness.js';
import { tempDir } from '../support/temp-dir.js';

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** An OpenAPI 3.0 document with one operation, GET /users/{id}, answering `schema` with 200. */
function spec(schema: string, { version = '3.0.3', extra = '', responses = '' } = {}): string {
  return `openapi: ${version}
info:
  title: Users
  version: '1'
paths:
  /users/{id}:
    get:
      operationId: getUser
      responses:
        '200':
          description: a user
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/User'
${responses}components:
  schemas:
    User:
${schema
  .split('\n')
  .map((line) => `      ${line}`)
  .join('\n')}
${extra}`;
}

function user(body: unknown, extra: Partial<RecordingSpec> = {}): RecordingSpec {
  return { method: 'GET', path: '/users/42', status: 200, body, ...extra };
}

async function check(specText: string, recordings: readonly RecordingSpec[], file = 'openapi.yaml', config: MockdriftConfig = {}): Promise<{ findings: Finding[]; lineOf: (needle: string) => number }> {
  const dir = tempDir('mockdrift-openapi-rules-');
  dirs.push(dir);
  writeFileSync(join(dir.path, file), specText);
  await recordInto(join(dir.path, 'recordings.db'), recordings);
  const report = await runCheck({ cwd: dir.path, db: 'recordings.db', config, fixtures: [file] });
  const lines = specText.split('\n');
  return { findings: report.findings.filter((finding) => finding.kind !== 'unverified'), lineOf: (needle) => lines.findIndex((line) => line.includes(needle)) + 1 };
}

const summary = (findings: readonly Finding[]): string[] => findings.map((finding) => `${finding.severity} ${finding.kind} ${finding.path ?? ''}`.trim());

const USER = `type: object
required: [id, email]
properties:
  id:
    type: integer
  email:
    type: string
    format: email
  nickname:
    type: string`;

describe('an OpenAPI response schema as a fixture', () => {
  it('finds nothing when reality fits, optional properties absent included', async () => {
    const { findings } = await check(spec(USER), [user({ id: 1, email: 'ada@example.com', nickname: 'ada' }), user({ id: 2, email: 'bob@example.com' })]);
    expect(summary(findings)).toEqual([]);
  });

  it('reports a required property no recording has as field-missing, at the line of the property', async () => {
    const { findings, lineOf } = await check(spec(USER), [user({ id: 1, nickname: 'ada' })]);
    expect(summary(findings)).toEqual(['breaking field-missing $.email']);
    expect(findings[0]!.line).toBe(lineOf('      email:'));
    expect(findings[0]!.route).toBe('GET /users/:id');
  });

  it('reports a required property reality renamed as field-renamed', async () => {
    const { findings } = await check(spec(USER), [user({ id: 1, emailAddress: 'ada@example.com' })]);
    expect(summary(findings)).toEqual(['breaking field-renamed $.email']);
    expect(findings[0]!.to).toBe('$.emailAddress');
  });

  it('reports a required property absent from some recordings as field-optional', async () => {
    const { findings } = await check(spec(USER), [user({ id: 1, email: 'a@example.com' }), user({ id: 2 })]);
    expect(summary(findings)).toEqual(['warning field-optional $.email']);
  });

  it('reports a property the schema does not declare as field-added, breaking under additionalProperties: false', async () => {
    const open = await check(spec(USER), [user({ id: 1, email: 'a@example.com', role: 'admin' })]);
    expect(summary(open.findings)).toEqual(['info field-added $.role']);
    const closed = await check(spec(`${USER}\nadditionalProperties: false`), [user({ id: 1, email: 'a@example.com', role: 'admin' })]);
    expect(summary(closed.findings)).toEqual(['breaking field-added $.role']);
  });

  it('reports a value of another type as type-changed, and a decimal where an integer is declared', async () => {
    const text = await check(spec(USER), [user({ id: 'u_1', email: 'a@example.com' })]);
    expect(summary(text.findings)).toEqual(['breaking type-changed $.id']);
    expect(text.findings[0]).toMatchObject({ expected: 'integer', actual: 'string' });
    const decimal = await check(spec(USER), [user({ id: 1.5, email: 'a@example.com' })]);
    expect(summary(decimal.findings)).toEqual(['breaking type-changed $.id']);
  });

  describe('null', () => {
    const nullableNick = (form: string): string => USER.replace('  nickname:\n    type: string', `  nickname:\n${form}`);
    const body = { id: 1, email: 'a@example.com', nickname: null };

    it('is field-nullable where the schema does not allow it', async () => {
      const { findings } = await check(spec(USER), [user(body)]);
      expect(summary(findings)).toEqual(['warning field-nullable $.nickname']);
    });

    it.each([
      ['nullable: true (3.0)', '3.0.3', '    type: string\n    nullable: true'],
      ['type: [string, "null"] (3.1)', '3.1.0', "    type: [string, 'null']"],
      ['oneOf with a null type (3.1)', '3.1.0', "    oneOf:\n      - type: string\n      - type: 'null'"],
      ['x-nullable', '3.0.3', '    type: string\n    x-nullable: true'],
    ])('is allowed by %s', async (_, version, form) => {
      const { findings } = await check(spec(nullableNick(form), { version }), [user(body)]);
      expect(summary(findings)).toEqual([]);
    });
  });

  it('reports a value outside an enum as value-changed, and says nothing of values inside it', async () => {
    const schema = `${USER}\n  status:\n    type: string\n    enum: [active, disabled]`;
    const inside = await check(spec(schema), [user({ id: 1, email: 'a@example.com', status: 'active' })]);
    expect(summary(inside.findings)).toEqual([]);
    const outside = await check(spec(schema), [user({ id: 1, email: 'a@example.com', status: 'deleted' })]);
    expect(summary(outside.findings)).toEqual(['breaking value-changed $.status']);
    expect(outside.findings[0]!.actual).toBe('deleted');
  });

  it('reports a string in another format as format-changed', async () => {
    const schema = `${USER}\n  created_at:\n    type: string\n    format: date-time`;
    const good = await check(spec(schema), [user({ id: 1, email: 'a@example.com', created_at: '2026-04-17T10:00:00Z' })]);
    expect(summary(good.findings)).toEqual([]);
    const bad = await check(spec(schema), [user({ id: 1, email: 'not an email', created_at: '17/04/2026' })]);
    expect(summary(bad.findings).sort()).toEqual(['warning format-changed $.created_at', 'warning format-changed $.email']);
  });

  it('does not compare example values', async () => {
    const schema = USER.replace('    type: string\n    format: email', '    type: string\n    format: email\n    example: ada@example.com');
    const { findings } = await check(spec(schema), [user({ id: 1, email: 'bob@example.com' })]);
    expect(summary(findings)).toEqual([]);
  });

  it('compares an example value only where the config pins the path (enums)', async () => {
    const schema = `${USER}\n  plan:\n    type: string\n    example: free`;
    const recordings = [user({ id: 1, email: 'a@example.com', plan: 'pro' })];
    expect(summary((await check(spec(schema), recordings)).findings)).toEqual([]);
    const pinned = await check(spec(schema), recordings, 'openapi.yaml', { enums: ['$.plan'] });
    expect(summary(pinned.findings)).toEqual(['breaking value-changed $.plan']);
  });

  describe('oneOf and anyOf', () => {
    const pet = `oneOf:
  - $ref: '#/components/schemas/Cat'
  - $ref: '#/components/schemas/Dog'`;
    const extra = `    Cat:
      type: object
      required: [meows]
      properties:
        meows: { type: boolean }
    Dog:
      type: object
      required: [barks]
      properties:
        barks: { type: boolean }
`;

    it('pass when reality fits one branch', async () => {
      const { findings } = await check(spec(pet, { extra }), [user({ barks: true })]);
      expect(summary(findings)).toEqual([]);
    });

    it('pass for an array whose items fit different branches', async () => {
      const list = `type: array\nitems:\n  ${pet.replaceAll('\n', '\n  ')}`;
      const { findings } = await check(spec(list, { extra }), [user([{ barks: true }, { meows: false }])]);
      expect(summary(findings)).toEqual([]);
    });

    it('report the closest branch when reality fits none', async () => {
      const { findings } = await check(spec(pet.replace('oneOf', 'anyOf'), { extra }), [user({ barks: 'loudly' })]);
      expect(summary(findings)).toEqual(['breaking type-changed $.barks']);
    });
  });

  it('merges allOf: the required properties of every part hold', async () => {
    const schema = `allOf:
  - $ref: '#/components/schemas/Base'
  - type: object
    required: [name]
    properties:
      name: { type: string }`;
    const extra = `    Base:
      type: object
      required: [id]
      properties:
        id: { type: integer }
`;
    const good = await check(spec(schema, { extra }), [user({ id: 1, name: 'x' })]);
    expect(summary(good.findings)).toEqual([]);
    const bad = await check(spec(schema, { extra }), [user({ name: 'x' })]);
    expect(summary(bad.findings)).toEqual(['breaking field-missing $.id']);
  });

  it('holds the members of a map to its additionalProperties schema', async () => {
    const schema = `type: object\nadditionalProperties:\n  type: array\n  items: { type: string }`;
    const good = await check(spec(schema), [user({ name: ['is blank'], email: ['is taken'] })]);
    expect(summary(good.findings)).toEqual([]);
    const bad = await check(spec(schema), [user({ name: 'is blank' })]);
    expect(summary(bad.findings)).toEqual(['breaking type-changed $.name']);
  });

  it('follows a recursive schema as deep as reality goes, and no deeper', async () => {
    const schema = `type: object
required: [name]
properties:
  name: { type: string }
  children:
    type: array
    items:
      $ref: '#/components/schemas/User'`;
    let tree: Record<string, unknown> = { name: 'leaf', children: [] };
    for (let depth = 0; depth < 20; depth++) tree = { name: `n${depth}`, children: [tree] };
    const good = await check(spec(schema), [user(tree)]);
    expect(summary(good.findings)).toEqual([]);
    let broken: Record<string, unknown> = { title: 'leaf' };
    for (let depth = 0; depth < 3; depth++) broken = { name: `n${depth}`, children: [broken] };
    const bad = await check(spec(schema), [user(broken)]);
    expect(summary(bad.findings)).toContain('breaking field-missing $.children[*].children[*].children[*].name');
  });

  it('bounds the work of oneOfs nested in oneOfs, and still reports what fits no branch', async () => {
    // Each level offers three branches that all lead one level down: 3^12 paths if walked naively.
    const levels = 12;
    let extra = '';
    for (let level = 0; level < levels; level++) {
      const next = level + 1 < levels ? `'#/components/schemas/L${level + 1}'` : "'#/components/schemas/Leaf'";
      extra += `    L${level}:\n      oneOf:\n${['a', 'b', 'c'].map((key) => `        - type: object\n          required: [${key}]\n          properties:\n            ${key}:\n              $ref: ${next}\n`).join('')}`;
    }
    extra += '    Leaf:\n      type: object\n      required: [id]\n      properties:\n        id: { type: integer }\n';
    let body: Record<string, unknown> = { id: 'not a number' };
    for (let level = 0; level < levels; level++) body = { c: body };
    const { findings } = await check(spec("$ref: '#/components/schemas/L0'", { extra }), [user(body)]);
    expect(summary(findings).length).toBeGreaterThan(0);
    expect(summary(findings).every((line) => line.startsWith('breaking'))).toBe(true);
  });

  it('reports a required response header reality never sends', async () => {
    const responses = `        '201':
          description: created
          headers:
            Location:
              required: true
              schema: { type: string }
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/User'
`;
    const { findings } = await check(spec(USER, { responses }), [user({ id: 1, email: 'a@example.com' }, { status: 201 })]);
    expect(summary(findings)).toEqual(['warning header-missing headers.location']);
  });

  it('reports a status the operation does not list, on the operation', async () => {
    const { findings, lineOf } = await check(spec(USER), [user({ id: 1, email: 'a@example.com' }), user({ error: 'boom' }, { status: 500 })]);
    expect(summary(findings)).toEqual(['breaking status-changed']);
    expect(findings[0]).toMatchObject({ actual: 500, expected: '200', line: lineOf('    get:') });
    const withDefault = spec(USER, { responses: "        default:\n          description: an error\n" });
    expect(summary((await check(withDefault, [user({ id: 1, email: 'a@example.com' }), user({ error: 'boom' }, { status: 500 })])).findings)).toEqual([]);
  });

  it('reads Swagger 2.0 with its basePath, and matches recordings made without it', async () => {
    const swagger = JSON.stringify(
      {
        swagger: '2.0',
        info: { title: 't', version: '1' },
        basePath: '/api',
        paths: { '/users/{id}': { get: { responses: { '200': { description: 'ok', schema: { $ref: '#/definitions/User' } } } } } },
        definitions: { User: { required: ['id'], properties: { id: { type: 'integer' }, nick: { type: 'string', 'x-nullable': true } } } },
      },
      null,
      2,
    );
    const withBase = await check(swagger, [{ method: 'GET', path: '/api/users/7', status: 200, body: { nick: null } }], 'swagger.json');
    expect(summary(withBase.findings)).toEqual(['breaking field-missing $.id']);
    expect(withBase.findings[0]!.line).toBe(withBase.lineOf('"id": {'));
    const bare = await check(swagger, [{ method: 'GET', path: '/users/7', status: 200, body: { id: 7, nick: null } }], 'swagger.json');
    expect(summary(bare.findings)).toEqual([]);
  });
});
