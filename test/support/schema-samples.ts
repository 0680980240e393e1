/**
 * Bodies that fit a JSON schema of an OpenAPI document: every declared property (required and
 * optional), the first enum value, the first oneOf/anyOf branch, allOf merged, values in the
 * declared format. For tests that need "a response the spec allows" without a hand-written one.
 */

type Schema = Record<string, unknown>;

const FORMAT_VALUES: Record<string, string> = {
  date: '2026-04-17',
  'date-time': '2026-04-17T10:00:00Z',
  time: '10:00:00',
  uuid: '0b8e3a52-4a4b-4f0e-9f64-5d6b1c2a3e4f',
  email: 'ada@example.com',
  uri: 'https://example.com/things/1',
  url: 'https://example.com/things/1',
};

export interface SampleOptions {
  /** Leave optional properties out. Default: false. */
  readonly requiredOnly?: boolean;
}

/** A value that fits `schema` (refs resolved against `root`). */
export function sampleOf(schema: unknown, root: unknown, options: SampleOptions = {}, depth = 0): unknown {
  const resolved = follow(schema, root);
  if (typeof resolved !== 'object' || resolved === null) return 'any';
  const s = resolved as Schema;
  if (s['const'] !== undefined) return s['const'];
  if (Array.isArray(s['enum'])) return s['enum'].find((value) => value !== null) ?? s['enum'][0];
  if (Array.isArray(s['allOf'])) {
    const merged: Schema = { ...s, allOf: undefined, properties: { ...(s['properties'] as Schema | undefined) }, required: [...((s['required'] as string[] | undefined) ?? [])] };
    for (const part of s['allOf']) {
      const p = follow(part, root) as Schema;
      const inner = Array.isArray(p['allOf']) ? (sampleSchemaOfAllOf(p, root) as Schema) : p;
      Object.assign(merged['properties'] as Schema, inner['properties'] ?? {});
      (merged['required'] as string[]).push(...((inner['required'] as string[] | undefined) ?? []));
      if (inner['type'] && !merged['type']) merged['type'] = inner['type'];
      if (inner['enum'] && !merged['enum']) merged['enum'] = inner['enum'];
      if (inner['format'] && !merged['format']) merged['format'] = inner['format'];
      if (inner['items'] && !merged['items']) merged['items'] = inner['items'];
    }
    return sampleOf(merged, root, options, depth);
  }
  for (const keyword of ['oneOf', 'anyOf']) {
    const branches = s[keyword];
    if (Array.isArray(branches)) {
      const branch = branches.find((b) => (follow(b, root) as Schema)['type'] !== 'null') ?? branches[0];
      const { [keyword]: _, ...rest } = s;
      const own = Object.keys(rest).some((key) => key === 'properties') ? sampleOf(rest, root, options, depth) : undefined;
      const picked = sampleOf(branch, root, options, depth);
      return own && typeof picked === 'object' && picked !== null ? { ...(own as object), ...(picked as object) } : picked;
    }
  }
  let type = s['type'];
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  if (type === undefined) type = s['properties'] ? 'object' : s['items'] ? 'array' : 'string';
  switch (type) {
    case 'null':
      return null;
    case 'string':
      return FORMAT_VALUES[String(s['format'])] ?? (s['format'] === 'decimal' ? '12.50' : 'text');
    case 'integer':
      return 7;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'array':
      return depth > 6 || !s['items'] ? [] : [sampleOf(s['items'], root, options, depth + 1), sampleOf(s['items'], root, options, depth + 1)];
    default: {
      const body: Record<string, unknown> = {};
      const required = new Set((s['required'] as string[] | undefined) ?? []);
      for (const [name, property] of Object.entries((s['properties'] as Schema | undefined) ?? {})) {
        const p = follow(property, root) as Schema;
        if (p['writeOnly'] === true) continue;
        if (!required.has(name) && (options.requiredOnly || depth > 6)) continue;
        body[name] = sampleOf(property, root, options, depth + 1);
      }
      const extra = s['additionalProperties'];
      if (typeof extra === 'object' && extra !== null && Object.keys(extra).length > 0 && depth <= 6 && !options.requiredOnly) body['extra_key'] = sampleOf(extra, root, options, depth + 1);
      return body;
    }
  }
}

function sampleSchemaOfAllOf(schema: Schema, root: unknown): Schema {
  const merged: Schema = { properties: { ...(schema['properties'] as Schema | undefined) }, required: [...((schema['required'] as string[] | undefined) ?? [])] };
  for (const part of schema['allOf'] as unknown[]) {
    const p = follow(part, root) as Schema;
    Object.assign(merged['properties'] as Schema, p['properties'] ?? {});
    (merged['required'] as string[]).push(...((p['required'] as string[] | undefined) ?? []));
  }
  return merged;
}

function follow(schema: unknown, root: unknown): unknown {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    if (typeof current !== 'object' || current === null || typeof (current as Schema)['$ref'] !== 'string') return current;
    const ref = (current as Schema)['$ref'] as string;
    let target: unknown = root;
    for (const token of ref.slice(2).split('/')) target = (target as Schema)[decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~')];
    current = target;
  }
  return current;
}
