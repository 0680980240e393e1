import type { JsonPointer } from './fixture.js';

/** The dialect of an OpenAPI document, which decides how `nullable` and `type` are read. */
export type SpecDialect = 'swagger-2.0' | 'openapi-3.0' | 'openapi-3.1';

/** A schema object somewhere in an OpenAPI document, with where it is written. */
export interface SchemaAt {
  /** The schema as written (its `$ref`s not followed). */
  readonly value: unknown;
  /** Its place in the document, e.g. `['components', 'schemas', 'Pet']`. */
  readonly pointer: JsonPointer;
}

/**
 * The JSON schema of one response of an OpenAPI document, and what is needed to read it: local
 * `$ref`s resolved on demand (every one was checked when the document was loaded) and the line of
 * any place in the document, so that a finding about `$.name` points at the `name` property.
 */
export interface SpecSchema {
  readonly dialect: SpecDialect;
  readonly root: SchemaAt;
  /** The schema a local `$ref` (`#/components/schemas/Pet`) names; undefined when it names nothing. */
  resolve(ref: string): SchemaAt | undefined;
  /** The 1-based line of the value at `pointer` (or of its nearest ancestor) in the document. */
  lineOf(pointer: JsonPointer): number;
}

/** The operation of an OpenAPI document an interaction belongs to: what statuses it lists. */
export interface SpecOperation {
  /** `GET /pets/{petId}` as the document writes it (with the base path). */
  readonly name: string;
  /** Numeric statuses the operation lists (`200`, `404`), sorted. */
  readonly statuses: readonly number[];
  /** Status classes listed as ranges (`2XX` → 2). */
  readonly ranges: readonly number[];
  /** Whether a `default` response covers every other status. */
  readonly hasDefault: boolean;
  /** Whether this interaction is the first of its operation (operation-level findings go there). */
  readonly first: boolean;
  /** The line of the operation in the document. */
  readonly line: number;
  /** The route without the spec's base path, tried when no recording has the base path. */
  readonly barePath?: string;
}

/** Whether an operation lists a status, by number, range or `default`. */
export function operationLists(operation: SpecOperation, status: number): boolean {
  return operation.hasDefault || operation.statuses.includes(status) || operation.ranges.includes(Math.floor(status / 100));
}
