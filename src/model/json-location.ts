/**
 * Where a JSON text stops being valid, as a 1-based `line:column` for messages that point a
 * person at the mistake ("fixtures/charge.json:7:12"). Taken from the JSON.parse error when it
 * says ("line L column C", "position N"); V8 says so only for some mistakes, so otherwise the
 * position is found by scanning the text.
 */
export function jsonErrorLocation(text: string, error?: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return `${lineColumn[1]}:${lineColumn[2]}`;
  const position = /position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : jsonErrorOffset(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

/**
 * The offset of the first character that makes `text` invalid JSON (the text's length when it
 * ends too early), or undefined when it is valid. Iterative: nesting depth costs heap, not stack.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const n = text.length;
  const stack: Array<'}' | ']'> = [];
  let i = 0;
  let expectValue = true;

  const skipSpace = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const scanString = (): boolean => {
    i++; // the opening quote
    while (i < n) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return true;
      }
      if (c < ' ') return false;
      if (c !== '\\') {
        i++;
        continue;
      }
      const escaped = text[i + 1];
      if (escaped === 'u' && HEX4.test(text.slice(i + 2, i + 6))) i += 6;
      else if (escaped !== undefined && SIMPLE_ESCAPES.includes(escaped)) i += 2;
      else return false;
    }
    return false;
  };
  const scanKey = (): boolean => {
    skipSpace();
    if (text[i] !== '"' || !scanString()) return false;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  const scanLiteral = (): boolean => {
    LITERAL.lastIndex = i;
    const match = LITERAL.exec(text);
    if (!match) return false;
    i += match[0].length;
    return true;
  };

  for (;;) {
    skipSpace();
    if (expectValue) {
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipSpace();
        const close = c === '{' ? '}' : ']';
        if (text[i] === close) {
          i++;
          expectValue = false;
        } else {
          stack.push(close);
          if (c === '{' && !scanKey()) return Math.min(i, n);
        }
        continue;
      }
      if (!(c === '"' ? scanString() : scanLiteral())) return Math.min(i, n);
      expectValue = false;
      continue;
    }
    const close = stack[stack.length - 1];
    if (close === undefined) return i < n ? i : undefined;
    if (text[i] === ',') {
      i++;
      if (close === '}' && !scanKey()) return Math.min(i, n);
      expectValue = true;
    } else if (text[i] === close) {
      i++;
      stack.pop();
    } else {
      return Math.min(i, n);
    }
  }
}

const HEX4 = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES = '"\\/bfnrt';
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
