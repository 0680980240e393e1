import type { HeaderMap } from '../model/headers.js';

/**
 * Header maps read from the JSON text they crossed to the capture worker in. A client and its
 * sandbox send the same few header sets again and again: one text gives one frozen map, shared by
 * every exchange that carried it, so that what is worked out from a map (its redaction, its stored
 * form) is worked out once per distinct set rather than once per exchange.
 */
export class HeaderTexts {
  readonly #maps = new Map<string, HeaderMap>();

  /** The map of `text`, the same object for the same text while it is remembered. */
  get(text: string): HeaderMap {
    let map = this.#maps.get(text);
    if (map === undefined) {
      // Null prototype like every other header map: a `__proto__` header stays an own property.
      map = Object.freeze(Object.assign(Object.create(null) as HeaderMap, JSON.parse(text) as HeaderMap));
      if (text.length > MAX_TEXT) return map;
      // Headers that differ every time (a request id, the date) must not grow the memo.
      if (this.#maps.size >= MAX_TEXTS) this.#maps.clear();
      this.#maps.set(text, map);
    }
    return map;
  }
}

/** Distinct header texts remembered; the memo starts over when it is full. */
const MAX_TEXTS = 256;
/** Texts longer than this (large cookies) are decoded every time rather than kept. */
const MAX_TEXT = 8192;
