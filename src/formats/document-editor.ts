import { isMap, isScalar, type Node, type Scalar } from 'yaml';
import type { DocumentSyntax } from './fixture-document.js';
import { jsonMemberAt, jsonNodeAt, jsonSpans, type PointerStep } from './json-syntax.js';
import { pairAt, parseYamlText, renderYamlScalar, yamlNodeAt, type ParsedYaml } from './yaml-syntax.js';

/**
 * Edits a fixture's text in place — renames a key, replaces a value, removes a member — touching
 * only the characters concerned, so that the file keeps its key order, indentation, quoting,
 * comments, inline objects and trailing newline. Each edit re-reads the text, so edits apply one
 * after another. JSON positions come from jsonc-parser's scanner, YAML's from the `yaml` package.
 */
export class DocumentEditor {
  #text: string;
  readonly #syntax: DocumentSyntax;
  readonly #indent: string;

  /** @param syntax the text's syntax; JSON by default */
  constructor(text: string, syntax: DocumentSyntax = 'json') {
    this.#text = text;
    this.#syntax = syntax;
    this.#indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  }

  get text(): string {
    return this.#text;
  }

  /** Replaces the value at `pointer` with `value`, written like its surroundings. */
  replaceValue(pointer: readonly PointerStep[], value: unknown): boolean {
    if (this.#syntax === 'yaml') return this.#yamlReplace(pointer, value);
    const node = jsonNodeAt(jsonSpans(this.#text), pointer);
    if (!node) return false;
    const multiline = this.#text.slice(node.start, node.end).includes('\n') || (node.kind !== 'scalar' && this.#text.includes('\n'));
    this.#splice(node.start, node.end, this.#renderJson(value, node.start, multiline));
    return true;
  }

  /** Renames the member that `pointer` ends at (its last step is the old key). */
  renameKey(pointer: readonly PointerStep[], newKey: string): boolean {
    if (this.#syntax === 'yaml') {
      const parsed = this.#yaml();
      const found = parsed && yamlNodeAt(parsed, pointer);
      const key = found?.keyNode;
      if (!key || !isScalar(key) || !key.range) return false;
      this.#splice(key.range[0], key.range[1], renderYamlScalar(newKey, key, 0));
      return true;
    }
    const found = jsonMemberAt(jsonSpans(this.#text), pointer);
    if (!found) return false;
    this.#splice(found.member.keyStart, found.member.keyEnd, JSON.stringify(newKey));
    return true;
  }

  /** Removes the member that `pointer` ends at, with its separating comma (JSON) or its lines (YAML). */
  removeMember(pointer: readonly PointerStep[]): boolean {
    if (this.#syntax === 'yaml') return this.#yamlRemove(pointer);
    const found = jsonMemberAt(jsonSpans(this.#text), pointer);
    if (!found) return false;
    const { parent, index } = found;
    const members = parent.members;
    const member = members[index]!;
    if (members.length === 1) {
      this.#splice(parent.start, parent.end, '{}');
    } else if (index > 0) {
      // From the end of the previous value: takes the comma before this member with it.
      this.#splice(members[index - 1]!.value.end, member.value.end, '');
    } else {
      // The first member: up to where the next one starts, comma and line break included.
      this.#splice(member.keyStart, members[1]!.keyStart, '');
    }
    return true;
  }

  /**
   * Adds a member `key: value` at the end of the object at `pointer`: on a line of its own indented
   * like its siblings, or inline when the object is written on one line. False when the key is
   * there already or `pointer` is no object.
   */
  insertMember(pointer: readonly PointerStep[], key: string, value: unknown): boolean {
    if (this.#syntax === 'yaml') return this.#yamlInsert(pointer, key, value);
    const node = jsonNodeAt(jsonSpans(this.#text), pointer);
    if (!node || node.kind !== 'object' || node.byKey.has(key)) return false;
    const last = node.members[node.members.length - 1];
    const inline = !this.#text.slice(node.start, node.end).includes('\n');
    const member = (indent: string): string => `${JSON.stringify(key)}: ${this.#renderJson(value, -1, !inline, indent)}`;
    if (!last) {
      const outer = this.#lineIndent(node.start);
      const inner = outer + this.#indent;
      this.#splice(node.start, node.end, inline ? `{ ${member('')} }` : `{\n${inner}${member(inner)}\n${outer}}`);
    } else if (inline) {
      this.#splice(last.value.end, last.value.end, `, ${member('')}`);
    } else {
      const indent = this.#lineIndent(last.keyStart);
      this.#splice(last.value.end, last.value.end, `,\n${indent}${member(indent)}`);
    }
    return true;
  }

  #lineIndent(at: number): string {
    const lineStart = this.#text.lastIndexOf('\n', at - 1) + 1;
    return /^[ \t]*/.exec(this.#text.slice(lineStart))![0];
  }

  /** `key: value` after the last pair of a block map (flow JSON for a container), or into a flow map. */
  #yamlInsert(pointer: readonly PointerStep[], key: string, value: unknown): boolean {
    const parsed = this.#yaml();
    const target = pointer.length === 0 ? parsed?.document.contents : parsed && yamlNodeAt(parsed, pointer)?.node;
    if (!parsed || !isMap(target) || !target.range || pairAt(target.items, key)) return false;
    const rendered = `${renderYamlScalar(key, undefined, 0)}: ${value !== null && typeof value === 'object' ? JSON.stringify(value) : renderYamlScalar(value, undefined, 0)}`;
    const lastPair = target.items[target.items.length - 1];
    const lastKey = lastPair?.key as Node | undefined;
    if (target.flow || !lastKey?.range) {
      const [start, end] = target.range;
      const inner = this.#text.slice(start + 1, end - 1).trim();
      this.#splice(start, end, inner ? `{ ${inner}, ${rendered} }` : `{ ${rendered} }`);
      return true;
    }
    const valueEnd = (lastPair?.value as Node | null)?.range?.[2] ?? lastKey.range[2];
    const indent = this.#lineIndent(lastKey.range[0]);
    const lineEnd = this.#text.indexOf('\n', Math.max(valueEnd - 1, lastKey.range[0]));
    const at = lineEnd < 0 ? this.#text.length : lineEnd + 1;
    this.#splice(at, at, `${lineEnd < 0 ? '\n' : ''}${indent}${rendered}\n`);
    return true;
  }

  #yaml(): ParsedYaml | undefined {
    const result = parseYamlText(this.#text);
    if (!result.ok) return undefined;
    // The text may have been re-indented to parse (see parseYamlText): edit that text.
    this.#text = result.parsed.text;
    return result.parsed;
  }

  #yamlReplace(pointer: readonly PointerStep[], value: unknown): boolean {
    const parsed = this.#yaml();
    const found = parsed && yamlNodeAt(parsed, pointer);
    if (!found || found.node === found.keyNode || !found.node.range) return false;
    const node: Node = found.node;
    const [start, end] = node.range!;
    const scalar = isScalar(node) ? (node as Scalar) : undefined;
    const rendered = renderYamlScalar(value, scalar, this.#blockIndent(start));
    // A block scalar's range takes in its last line break: the rendering keeps it.
    this.#splice(start, end, this.#text.slice(start, end).endsWith('\n') && !rendered.endsWith('\n') ? `${rendered}\n` : rendered);
    return true;
  }

  /** Removes `key: value` from a block map, whole lines; from a flow map, the member and its comma. */
  #yamlRemove(pointer: readonly PointerStep[]): boolean {
    if (pointer.length === 0) return false;
    const parsed = this.#yaml();
    const parentNode = parsed && yamlNodeAt(parsed, pointer.slice(0, -1));
    const parent = pointer.length === 1 ? parsed?.document.contents : parentNode?.node;
    if (!parsed || !isMap(parent)) return false;
    const pair = pairAt(parent.items, String(pointer[pointer.length - 1]));
    const keyRange = (pair?.key as Node | undefined)?.range;
    if (!pair || !keyRange) return false;
    const valueEnd = (pair.value as Node | null)?.range?.[2] ?? keyRange[2];
    if (parent.flow) {
      const index = parent.items.indexOf(pair);
      const next = parent.items[index + 1]?.key as Node | undefined;
      const previous = parent.items[index - 1]?.value as Node | undefined;
      if (next?.range) this.#splice(keyRange[0], next.range[0], '');
      else if (previous?.range) this.#splice(previous.range[1], valueEnd, '');
      else this.#splice(parent.range![0], parent.range![1], '{}');
      return true;
    }
    if (parent.items.length === 1) {
      this.#splice(parent.range![0], parent.range![2], '{}\n');
      return true;
    }
    const lineStart = this.#text.lastIndexOf('\n', keyRange[0] - 1) + 1;
    const lineEnd = this.#text.indexOf('\n', Math.max(valueEnd - 1, keyRange[0]));
    this.#splice(lineStart, lineEnd < 0 ? this.#text.length : lineEnd + 1, '');
    return true;
  }

  /** The indentation of the line `at` is on, plus one step: where a block scalar's content goes. */
  #blockIndent(at: number): number {
    const lineStart = this.#text.lastIndexOf('\n', at - 1) + 1;
    return /^ */.exec(this.#text.slice(lineStart))![0].length + 2;
  }

  #splice(start: number, end: number, replacement: string): void {
    this.#text = this.#text.slice(0, start) + replacement + this.#text.slice(end);
  }

  /** JSON for a new value: on one line inline, or indented like the line it starts on. */
  #renderJson(value: unknown, at: number, multiline: boolean, indent?: string): string {
    if (!multiline || value === null || typeof value !== 'object') return JSON.stringify(value);
    const lineIndent = indent ?? this.#lineIndent(at);
    return JSON.stringify(value, null, this.#indent).replaceAll('\n', `\n${lineIndent}`);
  }
}
