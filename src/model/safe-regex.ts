import { createRequire } from 'node:module';
import type { RE2 as RE2Instance } from 're2-wasm';

/**
 * A regular expression from a fixture or the config, run by RE2 (compiled to WebAssembly): its
 * time is linear in the input whatever the pattern, so `^(x+)+y$` against a long run of `x`
 * answers at once instead of backtracking for minutes. It has what mockdrift needs of a RegExp.
 */
export interface SafeRegex {
  readonly source: string;
  test(input: string): boolean;
  /** Replaces every match (the pattern must be compiled with the `g` flag for more than the first). */
  replace(input: string, replacer: (match: string) => string): string;
}

/** Why a pattern was refused: invalid, or using a construct that cannot run in linear time. */
export class UnsafeRegexError extends Error {
  readonly source: string;
  constructor(source: string, reason: string) {
    super(reason);
    this.name = 'UnsafeRegexError';
    this.source = source;
  }
}

type RE2Constructor = new (pattern: string, flags?: string) => RE2Instance;
let re2: RE2Constructor | undefined;

/** Loaded on first use: most commands never compile a pattern from a fixture or the config. */
function loadRe2(): RE2Constructor {
  re2 ??= (createRequire(import.meta.url)('re2-wasm') as { RE2: RE2Constructor }).RE2;
  return re2;
}

/** Flags RE2 accepts from a RegExp's: `i`, `g`, `m`, `s`. `u` is always on (RE2 requires it). */
const ALLOWED_FLAGS = /^[gims]*$/;

const SURROGATE = /[\uD800-\uDFFF]/g;

/** Backreferences and lookarounds: what makes a pattern need backtracking. */
const NON_LINEAR = /\\[1-9]|\\k<|\(\?<?[=!]/;

/**
 * Compiles `source` for linear-time matching.
 * @throws UnsafeRegexError when the pattern is invalid, or uses a backreference or a lookaround
 *   (constructs with no linear-time algorithm); its message says which.
 */
export function compileSafeRegex(source: string, flags = ''): SafeRegex {
  if (!ALLOWED_FLAGS.test(flags)) throw new UnsafeRegexError(source, `unsupported flags "${flags}"`);
  const RE2 = loadRe2();
  let regex: RE2Instance;
  try {
    regex = new RE2(source, `${flags}u`);
  } catch (error) {
    // RE2 names the construct; say why it is refused when it is one of those that backtrack.
    if (NON_LINEAR.test(source)) {
      throw new UnsafeRegexError(source, 'it uses a backreference or a lookaround, which cannot be matched in bounded time');
    }
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    throw new UnsafeRegexError(source, `it is not a valid regular expression (${reason})`);
  }
  return {
    source,
    test: (input) => {
      regex.lastIndex = 0;
      return regex.test(input.replace(SURROGATE, '\uE000'));
    },
    replace: (input, replacer) => {
      // re2-wasm counts match positions in code points but slices in UTF-16 units: with every
      // surrogate replaced by one BMP character, both agree and positions map back to `input`.
      const text = input.replace(SURROGATE, '\uE000');
      let out = '';
      let cursor = 0;
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.global ? regex.exec(text) : null) {
        const length = (match[0] ?? '').length;
        out += input.slice(cursor, match.index) + replacer(input.slice(match.index, match.index + length));
        cursor = match.index + length;
        if (length === 0) {
          // RE2 never moves past an empty match by itself.
          if (cursor >= input.length) break;
          out += input[cursor] ?? '';
          cursor += 1;
          regex.lastIndex = cursor;
        }
      }
      return out + input.slice(cursor);
    },
  };
}
