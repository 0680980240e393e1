/**
 * JSONPath-like addresses of values inside a body, as reports show them: `$` is the whole body,
 * `$.a.b` a nested field, `$.items[*].sku` a field of every array item, `$[*].id` a field of the
 * items of a top-level array. Keys that are not plain identifiers use brackets: `$['a.b']`.
 */
export const ROOT_PATH = '$';

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The path of `key` inside the object at `parent`. */
export function childPath(parent: string, key: string): string {
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key).replace(/^"|"$/g, "'")}]`;
}

/** The path that stands for every item of the array at `parent`. */
export function itemsPath(parent: string): string {
  return `${parent}[*]`;
}
