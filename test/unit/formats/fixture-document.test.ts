import { describe, expect, it } from 'vitest';
import { DocumentEditor } from '../../../src/formats/document-editor.js';
import { FixtureDocument, syntaxOfFile } from '../../../src/formats/fixture-document.js';

const CASSETTE = `---
# recorded against the sandbox
http_interactions:
- request:
    method: get
    uri: https://api.example.test/v1/users/1
  response:
    status:
      code: 200
      message: OK
    body:
      encoding: UTF-8
      string: '{"id":1,"name":"Ada"}'
  recorded_at: Tue, 28 Feb 2023 21:02:39 GMT
recorded_with: VCR 6.1.0
`;

describe('FixtureDocument', () => {
  it('tells YAML from JSON by the file name', () => {
    expect(syntaxOfFile('spec/cassettes/a.yml')).toBe('yaml');
    expect(syntaxOfFile('a.YAML')).toBe('yaml');
    expect(syntaxOfFile('a.json')).toBe('json');
    expect(syntaxOfFile('a.har')).toBe('json');
  });

  it('reads JSON with // and /* */ comments as WireMock does, with lines of the file', () => {
    const text = '{\n  // a proxy stub\n  "request": { "method": "GET" },\n  /* the answer */\n  "response": {\n    "status": 200\n  }\n}\n';
    const document = FixtureDocument.parse('m.json', text);
    expect(document.value).toEqual({ request: { method: 'GET' }, response: { status: 200 } });
    expect(document.lineOf(['response', 'status'])).toBe(6);
    expect(document.lineOf(['nothing'])).toBeUndefined();
    expect(document.nearestLineOf(['response', 'nothing'])).toBe(5);
  });

  it('names file:line:column of a JSON mistake', () => {
    expect(() => FixtureDocument.parse('f.json', '{\n  "a": 1,\n  "b": ]\n}')).toThrow(/^f\.json:3:8: not valid JSON/);
  });

  it('reads YAML and says on which line each value (its key, in a map) is written', () => {
    const document = FixtureDocument.parse('c.yml', CASSETTE);
    expect(document.syntax).toBe('yaml');
    expect(document.lineOf(['http_interactions', 0, 'response', 'status', 'code'])).toBe(9);
    expect(document.lineOf(['http_interactions', 0, 'response', 'body', 'string'])).toBe(13);
    expect(document.lineOf(['recorded_with'])).toBe(15);
    expect(document.lineOf(['http_interactions', 3])).toBeUndefined();
  });

  it('names file:line:column of a YAML mistake', () => {
    expect(() => FixtureDocument.parse('c.yml', 'a: 1\nb: [1, 2\nc: 3\n')).toThrow(/^c\.yml:\d+:\d+: not valid YAML/);
  });

  it('decodes !!binary and Ruby !binary to bytes, and constructs no object from a Ruby tag', () => {
    const document = FixtureDocument.parse('b.yml', 'a: !!binary aGVsbG8=\nb: !binary |-\n  aGVsbG8=\nc: !ruby/object:Gem::Version\n  version: 1.0\n');
    const value = document.value as Record<string, unknown>;
    expect(Buffer.from(value['a'] as Uint8Array).toString()).toBe('hello');
    expect(Buffer.from(value['b'] as Uint8Array).toString()).toBe('hello');
    expect(value['c']).toEqual({ version: 1 });
  });

  it('keeps timestamps as text (recorded_at is read by the loader)', () => {
    expect((FixtureDocument.parse('t.yml', 'at: 2023-02-28 21:02:39\n').value as Record<string, unknown>)['at']).toBe('2023-02-28 21:02:39');
  });

  it('refuses an alias expansion bomb as an input error', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const name of 'bcdefghi') bomb.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(',')}]`);
    expect(() => FixtureDocument.parse('bomb.yml', `${bomb.join('\n')}\n`)).toThrow(expect.objectContaining({ code: 'FIXTURE_INVALID' }));
  });

  it('reads a multi-line quoted body whose last line is not indented past its key, as libyaml does', () => {
    const text = "body:\n  string: '{\n    \"a\": 1\n  }'\nnext: 2\n";
    const document = FixtureDocument.parse('q.yml', text);
    expect(JSON.parse((document.value as { body: { string: string } }).body.string)).toEqual({ a: 1 });
    expect(document.lineOf(['next'])).toBe(5);
  });
});

describe('DocumentEditor', () => {
  it('replaces, renames and removes in JSON with comments, touching nothing else', () => {
    const text = '{\n  // keep me\n  "a": 1,\n  "b": { "c": 2 },\n  "d": 3\n}\n';
    const editor = new DocumentEditor(text);
    expect(editor.replaceValue(['a'], 'one')).toBe(true);
    expect(editor.renameKey(['b', 'c'], 'cc')).toBe(true);
    expect(editor.removeMember(['d'])).toBe(true);
    expect(editor.text).toBe('{\n  // keep me\n  "a": "one",\n  "b": { "cc": 2 }\n}\n');
  });

  it('replaces a YAML scalar in its own quoting style and keeps comments and layout', () => {
    const editor = new DocumentEditor(CASSETTE, 'yaml');
    expect(editor.replaceValue(['http_interactions', 0, 'response', 'body', 'string'], '{"id":1,"full_name":"Ada"}')).toBe(true);
    expect(editor.replaceValue(['http_interactions', 0, 'response', 'status', 'code'], 201)).toBe(true);
    expect(editor.text).toBe(CASSETTE.replace(`'{"id":1,"name":"Ada"}'`, `'{"id":1,"full_name":"Ada"}'`).replace('code: 200', 'code: 201'));
  });

  it('renames and removes YAML map members', () => {
    const editor = new DocumentEditor('a:\n  b: 1 # note\n  c: 2\nd: "x"\n', 'yaml');
    expect(editor.renameKey(['a', 'b'], 'bb')).toBe(true);
    expect(editor.removeMember(['a', 'c'])).toBe(true);
    expect(editor.replaceValue(['d'], 'y')).toBe(true);
    expect(editor.text).toBe('a:\n  bb: 1 # note\nd: "y"\n');
    expect(editor.removeMember(['missing'])).toBe(false);
  });

  it('writes a multi-line string into a YAML block scalar as a block scalar', () => {
    const editor = new DocumentEditor('body:\n  string: |\n    {"a": 1}\nnext: 1\n', 'yaml');
    expect(editor.replaceValue(['body', 'string'], '{\n  "a": 2\n}\n')).toBe(true);
    expect(editor.text).toBe('body:\n  string: |\n    {\n      "a": 2\n    }\nnext: 1\n');
    expect((FixtureDocument.parse('x.yml', editor.text).value as { body: { string: string } }).body.string).toBe('{\n  "a": 2\n}\n');
  });
});
