/**
 * JSONPath-like addresses of values inside a body, as reports show them: `$` is the whole body,
 * `$.a.b` a nested field, `$.items[*].sku` a field of every array item, `$[*].id` a field of the
 * items of a top-level array. Keys that are not plain identifiers use brackets: `$['a.b']`.
 */
export const ROOT_PATH = '$';

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * The path of `key` inside the object at `parent`. A key that is not a plain identifier is quoted
 * with JSON's escapes, and `'` escaped too, so that {@link parsePath} reads back every key — one
 * with a quote, a control character or a lone surrogate included.
 */
export function childPath(parent: string, key: string): string {
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}['${JSON.stringify(key).slice(1, -1).replaceAll("'", "\\'")}']`;
}

/** What a backslash stands for inside a quoted key; any other escaped character stands for itself. */
const KEY_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/** The path that stands for every item of the array at `parent`. */
export function itemsPath(parent: string): string {
  return `${parent}[*]`;
}

/** One step of a parsed path: an object key, or `*` for every item of an array. */
export type PathStep = { readonly key: string } | { readonly items: true };

/**
 * The steps of a path written by {@link childPath}/{@link itemsPath}: `$.a['b.c'][*].d` →
 * key a, key b.c, items, key d. Also accepts numeric indexes (`$.a[0]`, as Pact writes them),
 * read as `[*]`. Returns undefined for text that is not such a path.
 */
export function parsePath(path: string): PathStep[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const match = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!match) return undefined;
      steps.push({ key: match[0] });
      i += 1 + match[0].length;
    } else if (path.startsWith('[*]', i) || /^\[\d+\]/.test(path.slice(i))) {
      steps.push({ items: true });
      i = path.indexOf(']', i) + 1;
    } else if (path.startsWith("['", i) || path.startsWith('["', i)) {
      const quote = path[i + 1]!;
      let j = i + 2;
      let key = '';
      while (j < path.length && path[j] !== quote) {
        if (path[j] === '\\' && j + 1 < path.length) {
          const escaped = path[j + 1]!;
          const hex = escaped === 'u' ? /^[0-9a-fA-F]{4}/.exec(path.slice(j + 2, j + 6))?.[0] : undefined;
          key += hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : (KEY_ESCAPES[escaped] ?? escaped);
          j += hex !== undefined ? 6 : 2;
        } else key += path[j++];
      }
      if (path[j + 1] !== ']') return undefined;
      steps.push({ key });
      i = j + 2;
    } else {
      return undefined;
    }
  }
  return steps;
}

/** Writes steps back as a path: the inverse of {@link parsePath}. */
export function formatPath(steps: readonly PathStep[]): string {
  let path = ROOT_PATH;
  for (const step of steps) path = 'items' in step ? itemsPath(path) : childPath(path, step.key);
  return path;
}

/** The path of the parent of `path`; undefined for the root. */
export function parentPath(path: string): string | undefined {
  const steps = parsePath(path);
  if (!steps || steps.length === 0) return undefined;
  return formatPath(steps.slice(0, -1));
}

/** The last key of a path (`txn_id` of `$.data.txn_id`); undefined for the root and `[*]`. */
export function lastKey(path: string): string | undefined {
  const steps = parsePath(path);
  const last = steps?.[steps.length - 1];
  return last && 'key' in last ? last.key : undefined;
}
