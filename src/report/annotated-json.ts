import { childPath, itemsPath, ROOT_PATH } from '../model/json-path.js';

/** One line of a pretty-printed JSON value, with the body path it shows. */
export interface AnnotatedLine {
  readonly text: string;
  readonly path: string;
}

/** How many lines of a body a report shows. */
export const MAX_BODY_LINES = 400;
/** How deep a body is printed; deeper values are summarised. */
const MAX_DEPTH = 32;

/**
 * Pretty-prints a JSON value two spaces per level, each line tagged with the body path it shows
 * (array items as `[*]`), so that a report can mark the lines a finding is about. Iterative and
 * bounded: at most `limit` lines, nesting beyond 32 levels summarised.
 */
export function annotatedJson(value: unknown, limit = MAX_BODY_LINES): { lines: AnnotatedLine[]; truncated: boolean } {
  const lines: AnnotatedLine[] = [];
  type Frame = { value: unknown; path: string; indent: number; prefix: string; suffix: string } | { close: string; path: string; indent: number; suffix: string };
  const stack: Frame[] = [{ value, path: ROOT_PATH, indent: 0, prefix: '', suffix: '' }];
  while (stack.length > 0) {
    if (lines.length >= limit) return { lines, truncated: true };
    const frame = stack.pop()!;
    const pad = '  '.repeat(frame.indent);
    if ('close' in frame) {
      lines.push({ text: `${pad}${frame.close}${frame.suffix}`, path: frame.path });
      continue;
    }
    const { value: node, path, indent, prefix, suffix } = frame;
    if (typeof node !== 'object' || node === null) {
      lines.push({ text: `${pad}${prefix}${JSON.stringify(node) ?? 'null'}${suffix}`, path });
      continue;
    }
    const entries: Array<[string | null, unknown]> = Array.isArray(node) ? node.map((item) => [null, item]) : Object.entries(node);
    const [open, close] = Array.isArray(node) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0 || indent >= MAX_DEPTH) {
      lines.push({ text: `${pad}${prefix}${entries.length === 0 ? open + close : `${open}…${close}`}${suffix}`, path });
      continue;
    }
    lines.push({ text: `${pad}${prefix}${open}`, path });
    stack.push({ close, path, indent, suffix });
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      stack.push({
        value: child,
        path: key === null ? itemsPath(path) : childPath(path, key),
        indent: indent + 1,
        prefix: key === null ? '' : `${JSON.stringify(key)}: `,
        suffix: i < entries.length - 1 ? ',' : '',
      });
    }
  }
  return { lines, truncated: false };
}

/** Whether `path` is `marked` or lies below it. */
export function isAtOrBelow(path: string, marked: string): boolean {
  return path === marked || (path.startsWith(marked) && (path[marked.length] === '.' || path[marked.length] === '['));
}
