import { Redactor } from '../capture/redactor.js';

/** The default rules, for text printed outside an exchange (warnings, errors). */
let defaultRedactor: Redactor | undefined;

/**
 * A URL as it may be printed: without the user name and password it may carry
 * (`http://user:pw@host/` → `http://host/`). Text that is not a URL comes back redacted as text.
 */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return redactMessage(url);
  }
}

/**
 * A message with secret-shaped values removed (credentials in URLs, tokens, keys): errors and
 * warnings may quote a flag, a URL or an upstream's error text that holds one.
 */
export function redactMessage(message: string): string {
  defaultRedactor ??= new Redactor();
  return defaultRedactor.redactText(message).text;
}
