import type { JsonPointer } from '../model/fixture.js';
import type { JsonType } from '../model/shape.js';
import type { SchemaAt, SpecSchema } from '../model/spec-schema.js';

/** JSON schema types: the JSON types, with `integer` apart from `number`. */
export type SchemaType = Exclude<JsonType, 'null'> | 'integer';

/** One declared property of an object schema. */
export interface ExpectedProperty {
  readonly schema: SchemaAt;
  readonly required: boolean;
  /** Where the property is declared: what a finding about it points at. */
  readonly pointer: JsonPointer;
}

/**
 * What a schema expects of one value, its `$ref`s followed and its `allOf` merged: the expected
 * shape the comparator walks reality against. Children stay schemas (compiled when reality has
 * something there), so a recursive schema costs what reality's depth costs, no more.
 */
export interface ExpectedNode {
  readonly pointer: JsonPointer;
  /** Allowed types; empty when the schema does not say (anything goes). */
  readonly types: ReadonlySet<SchemaType>;
  readonly nullable: boolean;
  readonly format?: string;
  /** `enum` (or `const`) values. */
  readonly enumValues?: readonly unknown[];
  readonly properties: ReadonlyMap<string, ExpectedProperty>;
  /**
   * Members the schema does not declare: `closed` (`additionalProperties: false`), `open` (not
   * said: reported as added), `free` (`true`, or no property declared at all) or a schema for them.
   */
  readonly additional: 'closed' | 'open' | 'free' | SchemaAt;
  readonly items?: SchemaAt;
  /** `oneOf`/`anyOf` branches: reality must fit one. */
  readonly branches?: readonly SchemaAt[];
}

/** How many `allOf` levels are merged: a cycle of `allOf`s ends here. */
const MAX_MERGE_DEPTH = 16;

const ANY: ExpectedNode = { pointer: [], types: new Set(), nullable: true, properties: new Map(), additional: 'free' };

/** Compiles schemas of one document into expected nodes, each schema once. */
export class SchemaCompiler {
  readonly #spec: SpecSchema;
  readonly #cache = new Map<unknown, ExpectedNode>();

  constructor(spec: SpecSchema) {
    this.#spec = spec;
  }

  get spec(): SpecSchema {
    return this.#spec;
  }

  /** The expected node of a schema (its `$ref` chain followed). */
  compile(at: SchemaAt): ExpectedNode {
    const cached = this.#cache.get(at.value);
    if (cached) return cached;
    const node = this.#compile(at, 0);
    if (typeof at.value === 'object' && at.value !== null) this.#cache.set(at.value, node);
    return node;
  }

  #follow(at: SchemaAt): SchemaAt {
    let current = at;
    for (let hops = 0; hops < 32; hops++) {
      const value = current.value;
      if (!isRecord(value) || typeof value['$ref'] !== 'string') return current;
      const next = this.#spec.resolve(value['$ref']);
      if (!next) return current;
      current = next;
    }
    return current;
  }

  #compile(original: SchemaAt, depth: number): ExpectedNode {
    const at = this.#follow(original);
    const schema = at.value;
    if (schema === true || !isRecord(schema)) return { ...ANY, pointer: at.pointer };
    // A `$ref` with siblings (OpenAPI 3.1) or `nullable` next to it (a common 3.0 habit).
    const nullableHere = isRecord(original.value) && original.value !== schema && nullableFlag(original.value);

    const types = new Set<SchemaType>();
    let nullable = nullableFlag(schema) || nullableHere;
    const type = schema['type'];
    for (const one of Array.isArray(type) ? type : type !== undefined ? [type] : []) {
      if (one === 'null') nullable = true;
      else if (isSchemaType(one)) types.add(one);
    }
    const properties = new Map<string, ExpectedProperty>();
    const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((name): name is string => typeof name === 'string') : []);
    const declared = schema['properties'];
    if (isRecord(declared)) {
      for (const [name, property] of Object.entries(declared)) {
        const pointer = [...at.pointer, 'properties', name];
        // writeOnly properties are never in a response.
        const writeOnly = isRecord(property) && property['writeOnly'] === true;
        properties.set(name, { schema: { value: property, pointer }, required: required.has(name) && !writeOnly, pointer });
      }
    }
    let additional: ExpectedNode['additional'] = properties.size > 0 ? 'open' : 'free';
    const extra = schema['additionalProperties'];
    if (extra === false || schema['unevaluatedProperties'] === false) additional = 'closed';
    else if (extra === true) additional = 'free';
    else if (isRecord(extra)) additional = Object.keys(extra).length === 0 ? 'free' : { value: extra, pointer: [...at.pointer, 'additionalProperties'] };
    if (isRecord(schema['patternProperties'])) additional = 'free';

    let enumValues = Array.isArray(schema['enum']) ? (schema['enum'] as unknown[]) : undefined;
    if (schema['const'] !== undefined) enumValues = [schema['const']];
    if (enumValues?.includes(null)) nullable = true;
    const format = typeof schema['format'] === 'string' ? schema['format'] : undefined;
    const items = isRecord(schema['items']) ? { value: schema['items'], pointer: [...at.pointer, 'items'] } : undefined;

    let branches: SchemaAt[] | undefined;
    for (const keyword of ['oneOf', 'anyOf'] as const) {
      const list = schema[keyword];
      if (!Array.isArray(list) || branches) continue;
      const kept: SchemaAt[] = [];
      for (const [index, branch] of list.entries()) {
        const branchAt = { value: branch as unknown, pointer: [...at.pointer, keyword, index] };
        const target = this.#follow(branchAt).value;
        // `oneOf: [{$ref: X}, {type: 'null'}]` is how 3.1 writes a nullable reference.
        if (isRecord(target) && (target['type'] === 'null' || (Array.isArray(target['enum']) && target['enum'].length === 1 && target['enum'][0] === null))) nullable = true;
        else kept.push(branchAt);
      }
      if (kept.length === 1 && !hasOwnShape(schema)) {
        // One branch left: it is the schema.
        const only = this.#compile(kept[0]!, depth + 1);
        return { ...only, nullable: only.nullable || nullable };
      }
      if (kept.length > 0) branches = kept;
    }

    let node: ExpectedNode = {
      pointer: at.pointer,
      types: types.size === 0 && properties.size > 0 ? new Set(['object']) : types.size === 0 && items ? new Set(['array']) : types,
      nullable,
      ...(format !== undefined ? { format } : {}),
      ...(enumValues !== undefined ? { enumValues } : {}),
      properties,
      additional,
      ...(items ? { items } : {}),
      ...(branches ? { branches } : {}),
    };

    const allOf = schema['allOf'];
    if (Array.isArray(allOf) && depth < MAX_MERGE_DEPTH) {
      for (const [index, part] of allOf.entries()) {
        node = mergeAll(node, this.#compile({ value: part as unknown, pointer: [...at.pointer, 'allOf', index] }, depth + 1), nullableFlag(schema) || nullableHere);
      }
    }
    return node;
  }
}

/**
 * `allOf`: every part holds. Properties add up (required where any part requires them), types
 * narrow, a closed part closes the whole. A schema that says `nullable` next to its `allOf` allows
 * null even though its parts do not (drf-spectacular writes nullable references so).
 */
function mergeAll(own: ExpectedNode, part: ExpectedNode, ownNullable: boolean): ExpectedNode {
  const properties = new Map(own.properties);
  for (const [name, property] of part.properties) {
    const existing = properties.get(name);
    properties.set(name, existing ? { ...existing, required: existing.required || property.required } : property);
  }
  let types: Set<SchemaType>;
  if (own.types.size === 0) types = new Set(part.types);
  else if (part.types.size === 0) types = new Set(own.types);
  else types = new Set([...own.types].filter((type) => part.types.has(type) || (type === 'integer' && part.types.has('number'))));
  if (types.size === 0 && properties.size > 0) types.add('object');
  const additional =
    own.additional === 'closed' || part.additional === 'closed'
      ? 'closed'
      : typeof own.additional === 'object'
        ? own.additional
        : typeof part.additional === 'object'
          ? part.additional
          : own.additional === 'open' || part.additional === 'open' || properties.size > 0
            ? 'open'
            : 'free';
  const format = own.format ?? part.format;
  const enumValues = own.enumValues ?? part.enumValues;
  const items = own.items ?? part.items;
  const branches = own.branches ?? part.branches;
  return {
    pointer: own.pointer,
    types,
    nullable: ownNullable || (own.nullable && part.nullable) || (own.types.size === 0 && !hasConstraint(own) && part.nullable),
    ...(format !== undefined ? { format } : {}),
    ...(enumValues !== undefined ? { enumValues } : {}),
    properties,
    additional,
    ...(items ? { items } : {}),
    ...(branches ? { branches } : {}),
  };
}

/**
 * `oneOf` branches laid over each other: what an array of mixed items can show. A property is
 * allowed when any branch declares it and required only when every branch requires it.
 */
export function unionOf(nodes: readonly ExpectedNode[], pointer: JsonPointer): ExpectedNode {
  const types = new Set<SchemaType>();
  const properties = new Map<string, ExpectedProperty>();
  let anyType = false;
  let nullable = false;
  let additional: ExpectedNode['additional'] = 'open';
  for (const node of nodes) {
    if (node.types.size === 0) anyType = true;
    for (const type of node.types) types.add(type);
    nullable ||= node.nullable;
    if (node.additional === 'free' || typeof node.additional === 'object') additional = 'free';
    for (const [name, property] of node.properties) {
      const existing = properties.get(name);
      properties.set(name, existing ? { ...existing, required: existing.required && property.required } : property);
    }
  }
  for (const [name, property] of properties) {
    if (property.required && !nodes.every((node) => node.properties.get(name)?.required)) properties.set(name, { ...property, required: false });
  }
  const items = nodes.find((node) => node.items)?.items;
  return { pointer, types: anyType ? new Set() : types, nullable, properties, additional, ...(items ? { items } : {}) };
}

function hasOwnShape(schema: Record<string, unknown>): boolean {
  return isRecord(schema['properties']) || schema['allOf'] !== undefined;
}

function hasConstraint(node: ExpectedNode): boolean {
  return node.properties.size > 0 || node.items !== undefined || node.enumValues !== undefined || node.branches !== undefined;
}

function nullableFlag(schema: Record<string, unknown>): boolean {
  return schema['nullable'] === true || schema['x-nullable'] === true;
}

function isSchemaType(value: unknown): value is SchemaType {
  return value === 'string' || value === 'number' || value === 'integer' || value === 'boolean' || value === 'object' || value === 'array';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
