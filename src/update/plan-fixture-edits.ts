import type { Finding } from '../model/finding.js';
import type { FixtureInteraction, JsonPointer } from '../model/fixture.js';
import { lastKey, parsePath } from '../model/json-path.js';
import { valuesAt } from '../compare/values-at.js';
import { deeperThan, MAX_SHAPE_DEPTH } from '../model/shape.js';

/** One change to a fixture file, addressed by JSON pointer into the file. */
export type FixtureEdit =
  | { readonly op: 'replace'; readonly pointer: JsonPointer; readonly value: unknown }
  | { readonly op: 'remove'; readonly pointer: JsonPointer }
  | { readonly op: 'rename'; readonly pointer: JsonPointer; readonly key: string }
  /** Adds `key: value` to the object at `pointer` (a moved field at its new parent). */
  | { readonly op: 'insert'; readonly pointer: JsonPointer; readonly key: string; readonly value: unknown }
  /** Edits to the JSON held in the string at `pointer` (a HAR `text`, a VCR `string`), pointers relative to that JSON. */
  | { readonly op: 'edit-text'; readonly pointer: JsonPointer; readonly edits: readonly FixtureEdit[] };

/** A finding that `update` leaves to a person, and why. */
export interface Skipped {
  readonly finding: Finding;
  readonly reason: string;
}

export interface EditPlan {
  /** In the order they must be applied: replacements, insertions, then removals, then renames deepest first. */
  readonly edits: FixtureEdit[];
  readonly applied: Finding[];
  readonly skipped: Skipped[];
}

/** The formats whose files `update` rewrites: every format mockdrift reads. */
export const UPDATABLE_FORMATS = new Set(['native', 'pact', 'wiremock', 'har', 'nock', 'vcr', 'vcrpy', 'responses', 'postman']);

/** Where each format writes an interaction's response status, from the interaction's place. */
export function statusPointer(interaction: FixtureInteraction): JsonPointer {
  const at = interaction.location.interactionPointer;
  switch (interaction.format) {
    case 'nock':
    case 'responses':
      return [...at, 'status'];
    case 'vcr':
    case 'vcrpy':
      return [...at, 'response', 'status', 'code'];
    case 'postman':
      return [...at, 'code'];
    default:
      return [...at, 'response', 'status'];
  }
}

/**
 * Plans the edits that make one interaction's fixture match reality: renames, removals, values
 * of the new type (taken from a recording), statuses, values that became null everywhere. The
 * fixture's own values stay wherever the field still exists with its type. Pure: the file's
 * parsed JSON and the sampled recorded bodies come in as data.
 *
 * @param fileValue the whole fixture file, parsed (to find Pact matching rules)
 * @param samples recorded bodies of the matching recordings, newest first
 */
export function planFixtureEdits(
  interaction: FixtureInteraction,
  findings: readonly Finding[],
  fileValue: unknown,
  samples: readonly unknown[],
): EditPlan {
  const replacements: FixtureEdit[] = [];
  const removals: FixtureEdit[] = [];
  const renames: FixtureEdit[] = [];
  const inserts: FixtureEdit[] = [];
  const applied: Finding[] = [];
  const skipped: Skipped[] = [];
  const body = interaction.response.body;
  // A body written as a string holding JSON is edited inside that string, from its root.
  const textPointer = interaction.location.bodyPointer ? null : (interaction.location.bodyTextPointer ?? null);
  const bodyPointer: JsonPointer | null = textPointer ? [] : interaction.location.bodyPointer;
  const skip = (finding: Finding, reason: string): void => void skipped.push({ finding, reason });

  for (const finding of findings) {
    if (finding.kind === 'status-changed') {
      replacements.push({ op: 'replace', pointer: statusPointer(interaction), value: finding.actual });
      applied.push(finding);
      continue;
    }
    if (!finding.path || finding.path.startsWith('headers.') || !EDITED_KINDS.has(finding.kind)) {
      if (finding.severity === 'breaking') skip(finding, `${finding.kind} is left to you`);
      continue;
    }
    if (!bodyPointer || body === undefined) {
      skip(finding, 'the response body is not inline JSON in the file');
      continue;
    }
    const pointers = expandPointers(body, finding.path).map((relative) => [...bodyPointer, ...relative]);
    if (pointers.length === 0) {
      skip(finding, `${finding.path} is not in the fixture body`);
      continue;
    }
    // Each edit rewrites the text: a hostile fixture with a huge array would take hours.
    if (pointers.length > MAX_PLACES_PER_FINDING) {
      skip(finding, `${finding.path} names ${pointers.length} places in the fixture, more than the ${MAX_PLACES_PER_FINDING} update edits for one finding; change it by hand`);
      continue;
    }
    switch (finding.kind) {
      case 'field-renamed': {
        const key = finding.to ? lastKey(finding.to) : undefined;
        if (key === undefined) {
          skip(finding, 'no new name');
          continue;
        }
        for (const pointer of pointers) renames.push({ op: 'rename', pointer, key });
        renames.push(...renameMatcherRules(interaction, fileValue, finding.path, finding.to!));
        break;
      }
      case 'field-moved': {
        // A move is the field removed here and inserted at its new parent, with the fixture's value.
        const insert = finding.to !== undefined ? moveInsertion(body, finding.path, finding.to) : undefined;
        if (!insert) {
          skip(finding, `moving ${finding.path} to ${finding.to ?? '?'} across array items is left to you`);
          continue;
        }
        inserts.push({ ...insert, pointer: [...bodyPointer, ...insert.pointer] });
        for (const pointer of pointers) removals.push({ op: 'remove', pointer });
        removals.push(...matcherRuleRemovals(interaction, fileValue, finding.path));
        break;
      }
      case 'field-missing':
        for (const pointer of pointers) removals.push({ op: 'remove', pointer });
        removals.push(...matcherRuleRemovals(interaction, fileValue, finding.path));
        break;
      case 'field-nullable':
        // Only when reality has it null every time; sometimes-null is a case to add, not a value to change.
        if (finding.evidence.matching > 0) continue;
        for (const pointer of pointers) replacements.push({ op: 'replace', pointer, value: null });
        break;
      default: {
        const value = finding.kind === 'value-changed' && isPlain(finding.actual) ? finding.actual : sampleValue(samples, finding.path);
        if (value === undefined) {
          skip(finding, `no recorded value of ${finding.path} to take`);
          continue;
        }
        if (holdsRedacted(value)) {
          skip(finding, `the recorded value of ${finding.path} was redacted before storing; a redacted value is never written into a fixture`);
          continue;
        }
        if (deeperThan(value, MAX_SHAPE_DEPTH)) {
          skip(finding, `the recorded value of ${finding.path} nests too deeply to write into a fixture`);
          continue;
        }
        for (const pointer of pointers) replacements.push({ op: 'replace', pointer, value });
        if (finding.kind === 'type-changed') removals.push(...matcherRuleRemovals(interaction, fileValue, finding.path));
      }
    }
    applied.push(finding);
  }
  // Deepest renames first: a parent renamed first would leave the child's pointer dangling.
  renames.sort((a, b) => b.pointer.length - a.pointer.length);
  if (!textPointer) return { edits: [...replacements, ...inserts, ...removals, ...renames], applied, skipped };
  // The status lives in the file; everything else inside the body's string.
  const isStatus = (edit: FixtureEdit): boolean => edit.op === 'replace' && edit.pointer.length > 0 && JSON.stringify(edit.pointer) === JSON.stringify(statusPointer(interaction));
  const inFile = replacements.filter(isStatus);
  const inText = [...replacements.filter((edit) => !isStatus(edit)), ...inserts, ...removals, ...renames];
  return { edits: inText.length > 0 ? [...inFile, { op: 'edit-text', pointer: textPointer, edits: inText }] : inFile, applied, skipped };
}

/**
 * Where a moved field goes: the deepest object on the new path the fixture already has, and
 * what to add to it (the rest of the path as nested objects around the fixture's own value).
 * Only paths without array items: a move between items is left to a person.
 */
function moveInsertion(body: unknown, from: string, to: string): { op: 'insert'; pointer: JsonPointer; key: string; value: unknown } | undefined {
  const fromSteps = parsePath(from);
  const toSteps = parsePath(to);
  if (!fromSteps || !toSteps || toSteps.length === 0 || [...fromSteps, ...toSteps].some((step) => 'items' in step)) return undefined;
  const values = valuesAt(body, from);
  if (values.length !== 1) return undefined;
  const keys = toSteps.map((step) => (step as { key: string }).key);
  let node: unknown = body;
  let depth = 0;
  while (depth < keys.length - 1) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, keys[depth]!)) break;
    const next = (node as Record<string, unknown>)[keys[depth]!];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) break;
    node = next;
    depth += 1;
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  let value: unknown = values[0];
  for (let i = keys.length - 1; i > depth; i--) value = { [keys[i]!]: value };
  return { op: 'insert', pointer: keys.slice(0, depth), key: keys[depth]!, value };
}

/** Most places one finding is edited in (`$.items[*].x` is one place per item). */
const MAX_PLACES_PER_FINDING = 1000;

const EDITED_KINDS = new Set(['field-moved', 'field-renamed', 'field-missing', 'type-changed', 'value-changed', 'format-changed', 'field-nullable']);

/** Whether a recorded value holds the redaction marker anywhere (walked without recursion). */
function holdsRedacted(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string' && item.includes('[REDACTED]')) return true;
    if (typeof item === 'object' && item !== null) for (const child of Object.values(item)) stack.push(child);
  }
  return false;
}

function isPlain(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** The first non-null value a recorded body has at `path`. */
function sampleValue(samples: readonly unknown[], path: string): unknown {
  for (const sample of samples) {
    const value = valuesAt(sample, path).find((candidate) => candidate !== null);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Pointers (relative to the body) of every place a path names: `[*]` is every item. */
export function expandPointers(body: unknown, path: string): JsonPointer[] {
  const steps = parsePath(path);
  if (!steps) return [];
  let places: Array<{ value: unknown; pointer: Array<string | number> }> = [{ value: body, pointer: [] }];
  for (const step of steps) {
    const next: typeof places = [];
    for (const { value, pointer } of places) {
      if ('items' in step) {
        if (Array.isArray(value)) value.forEach((item, index) => next.push({ value: item, pointer: [...pointer, index] }));
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, step.key)) {
        next.push({ value: (value as Record<string, unknown>)[step.key], pointer: [...pointer, step.key] });
      }
    }
    places = next;
  }
  return places.map((place) => place.pointer);
}

/**
 * Pact matching rules are keyed by path; a renamed field keeps its rule under the new name (else
 * its example value would suddenly be pinned as a literal).
 */
function renameMatcherRules(interaction: FixtureInteraction, fileValue: unknown, from: string, to: string): FixtureEdit[] {
  return matcherRuleKeys(interaction, fileValue, from).map(({ pointer, prefix }) => ({
    op: 'rename' as const,
    pointer,
    key: prefix + to.slice(1),
  }));
}

/** The rules of a removed or retyped field go with it. */
function matcherRuleRemovals(interaction: FixtureInteraction, fileValue: unknown, path: string): FixtureEdit[] {
  return matcherRuleKeys(interaction, fileValue, path).map(({ pointer }) => ({ op: 'remove' as const, pointer }));
}

/** Where Pact keeps the rule for `path`: v3/v4 `matchingRules.body["$.x"]`, v2 `matchingRules["$.body.x"]`. */
function matcherRuleKeys(interaction: FixtureInteraction, fileValue: unknown, path: string): Array<{ pointer: JsonPointer; prefix: string }> {
  if (interaction.format !== 'pact') return [];
  const rulesPointer = [...interaction.location.interactionPointer, 'response', 'matchingRules'];
  const rules = valueAtPointer(fileValue, rulesPointer);
  if (typeof rules !== 'object' || rules === null) return [];
  const found: Array<{ pointer: JsonPointer; prefix: string }> = [];
  const v3 = (rules as Record<string, unknown>)['body'];
  if (typeof v3 === 'object' && v3 !== null && Object.hasOwn(v3, path)) found.push({ pointer: [...rulesPointer, 'body', path], prefix: '$' });
  const v2Key = `$.body${path.slice(1)}`;
  if (Object.hasOwn(rules, v2Key)) found.push({ pointer: [...rulesPointer, v2Key], prefix: '$.body' });
  return found;
}

function valueAtPointer(value: unknown, pointer: JsonPointer): unknown {
  let current = value;
  for (const step of pointer) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
