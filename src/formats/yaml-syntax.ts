import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, stringify, type Document, type Node, type Pair, type Tags } from 'yaml';
import type { PointerStep } from './json-syntax.js';

/**
 * YAML as Ruby's Psych (VCR) and PyYAML (vcrpy, `responses`) write it, read with the `yaml`
 * package: YAML 1.1, no tag ever constructs an object (`!ruby/object:…` is read as the plain
 * value under it), `!!binary` and Ruby's `!binary` give bytes, aliases are bounded against
 * expansion bombs, and timestamps stay text (VCR's `recorded_at` is read by the loader).
 */

/** How many alias expansions one document may make; the `yaml` package's own bound. */
const MAX_ALIAS_COUNT = 100;

const BINARY = 'tag:yaml.org,2002:binary';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';

function tagsFor(tags: Tags): Tags {
  const binary = tags.find((tag) => typeof tag === 'object' && tag.tag === BINARY);
  const kept = tags.filter((tag) => !(typeof tag === 'object' && tag.tag === TIMESTAMP));
  // Ruby writes base64 bodies as `!binary`: the same bytes as `!!binary`, under a local tag.
  return binary && typeof binary === 'object' ? [...kept, { ...binary, tag: '!binary', default: false }] : kept;
}

const PARSE_OPTIONS = { version: '1.1', uniqueKeys: false, prettyErrors: false, customTags: tagsFor, strict: false } as const;

export interface ParsedYaml {
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
  readonly value: unknown;
  /** The text parsed: the file's own, or with quoted continuation lines re-indented (see below). */
  readonly text: string;
}

/**
 * Parses a YAML text.
 * @returns the parsed document and its value, or the offset and reason of the first error
 */
export function parseYamlText(text: string): { ok: true; parsed: ParsedYaml } | { ok: false; offset: number | undefined; reason: string } {
  const first = parseOnce(text);
  if (first.ok) return first;
  // libyaml (Psych, PyYAML) accepts a multi-line quoted scalar whose continuation lines are not
  // indented past its key; the `yaml` package does not. Indenting them changes no value
  // (continuation lines are folded, their leading blanks dropped).
  const repaired = indentQuotedContinuations(text);
  if (repaired !== text) {
    const second = parseOnce(repaired);
    if (second.ok) return second;
  }
  return first;
}

function parseOnce(text: string): { ok: true; parsed: ParsedYaml } | { ok: false; offset: number | undefined; reason: string } {
  const lineCounter = new LineCounter();
  let document: Document.Parsed;
  try {
    document = parseDocument(text, { ...PARSE_OPTIONS, lineCounter });
  } catch (error) {
    return { ok: false, offset: undefined, reason: error instanceof RangeError ? 'nested too deeply' : String(error) };
  }
  const error = document.errors[0];
  if (error) return { ok: false, offset: error.pos[0], reason: error.message.split('\n', 1)[0]! };
  try {
    return { ok: true, parsed: { document, lineCounter, value: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown, text } };
  } catch (problem) {
    const reason = problem instanceof RangeError ? 'nested too deeply' : problem instanceof Error ? problem.message : String(problem);
    return { ok: false, offset: undefined, reason };
  }
}

const QUOTED_VALUE_START = /^( *)(?:- +)?[^\s#'"][^#'"]*?: +(?:![^\s'"]* +)?(['"])/;

/** Indents the continuation lines of multi-line quoted map values two past their key. */
export function indentQuotedContinuations(text: string): string {
  const lines = text.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const start = QUOTED_VALUE_START.exec(lines[i]!);
    if (!start) continue;
    const quote = start[2]!;
    const minimum = start[1]!.length + 2;
    let closedAt = closingQuote(lines[i]!, start[0].length, quote);
    let j = i;
    while (closedAt < 0 && j + 1 < lines.length) {
      j++;
      const line = lines[j]!;
      const indent = /^ */.exec(line)![0].length;
      if (line.trim() !== '' && indent < minimum) {
        lines[j] = ' '.repeat(minimum - indent) + line;
        changed = true;
      }
      closedAt = closingQuote(lines[j]!, 0, quote);
    }
    i = j;
  }
  return changed ? lines.join('\n') : text;
}

/** Where a quoted scalar that is open at `from` closes on this line; -1 when it goes on. */
function closingQuote(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quote === '"' && c === '\\') i++;
    else if (c === quote) {
      if (quote === "'" && line[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

/** The node at `pointer`, following map keys and sequence indexes (aliases resolved). */
export function yamlNodeAt(parsed: ParsedYaml, pointer: readonly PointerStep[]): { node: Node; keyNode?: Node } | undefined {
  let node: unknown = parsed.document.contents;
  let keyNode: Node | undefined;
  for (const step of pointer) {
    if (isAlias(node)) node = node.resolve(parsed.document);
    if (isMap(node)) {
      const pair = pairAt(node.items, String(step));
      if (!pair) return undefined;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = typeof step === 'number' ? step : /^\d+$/.test(step) ? Number(step) : -1;
      node = node.items[index];
      keyNode = undefined;
    } else {
      return undefined;
    }
    if (node === undefined || node === null) return keyNode ? { node: keyNode, keyNode } : undefined;
  }
  return node === null || node === undefined ? undefined : { node: node as Node, ...(keyNode ? { keyNode } : {}) };
}

/** With duplicate keys the last one wins, as in the value. */
export function pairAt(items: readonly Pair[], key: string): Pair | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const pair = items[i]!;
    if (isPair(pair) && keyText(pair.key) === key) return pair;
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** The 1-based line of the value at `pointer` (of its key, for a map member). */
export function yamlLineOf(parsed: ParsedYaml, pointer: readonly PointerStep[]): number | undefined {
  const found = yamlNodeAt(parsed, pointer);
  const node = found?.keyNode ?? found?.node;
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : parsed.lineCounter.linePos(offset).line;
}

/**
 * A scalar written in the quoting style of `like` (plain, single- or double-quoted, block), on
 * one line unless it is a block scalar; `indent` is the block scalar's content indentation.
 */
export function renderYamlScalar(value: unknown, like: Scalar | undefined, indent: number): string {
  const type = like?.type;
  if (typeof value === 'string' && (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') && value.includes('\n')) {
    const chomp = value.endsWith('\n') ? (value.endsWith('\n\n') ? '+' : '') : '-';
    const body = (value.endsWith('\n') ? value.slice(0, -1) : value).split('\n');
    const pad = ' '.repeat(Math.max(indent, 1));
    return `|${chomp}\n${body.map((line) => (line === '' ? '' : pad + line)).join('\n')}`;
  }
  if (typeof value === 'string' && value.includes('\n')) return JSON.stringify(value); // a JSON string is a YAML double-quoted one
  if (value === null || typeof value !== 'object') {
    const scalar = new Scalar(value);
    if (type === 'PLAIN' || type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') scalar.type = type;
    return stringify(scalar, { lineWidth: 0, version: '1.1' }).replace(/\n$/, '');
  }
  // A container in flow style: JSON is YAML.
  return JSON.stringify(value);
}
