import type { HeaderMap } from '../model/headers.js';

/**
 * Header maps read from the JSON text they crossed to the capture worker in. A client and its
 * sandbox send the same few header sets again and again: one text gives one frozen map, shared by
 * every exchange that carried it, so that what is worked out from a map (its redaction, its stored
 * form) is worked out once per distinct set rather than once per exchange. A text is kept from the
 * second time it comes: a set that differs every time (a request id, an ETag) would only churn the
 * memo, and a map that is not frozen is prepared and written without being remembered.
 */
export class HeaderTexts {
  readonly #maps = new Map<string, HeaderMap>();
  /** Texts seen once lately. */
  readonly #once = new Set<string>();

  /** The map of `text`: the same frozen object for the same text while it is remembered. */
  get(text: string): HeaderMap {
    const known = this.#maps.get(text);
    if (known !== undefined) return known;
    // Null prototype like every other header map: JSON.parse makes a `__proto__` header an own
    // property, which it stays.
    const map = Object.setPrototypeOf(JSON.parse(text), null) as HeaderMap;
    if (text.length > MAX_TEXT) return map;
    if (!this.#once.delete(text)) {
      if (this.#once.size >= MAX_TEXTS) this.#once.clear();
      this.#once.add(text);
      return map;
    }
    if (this.#maps.size >= MAX_TEXTS) this.#maps.clear();
    this.#maps.set(text, Object.freeze(map));
    return map;
  }
}

/** Distinct header texts remembered (and texts seen once); each memo starts over when it is full. */
const MAX_TEXTS = 256;
/** Texts longer than this (large cookies) are decoded every time rather than kept. */
const MAX_TEXT = 8192;
