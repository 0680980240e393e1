import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_FIELD_PATTERN,
  DEFAULT_REDACTED_HEADERS,
  REDACTED,
  Redactor,
} from '../../../src/capture/redactor.js';
import { shapeOfUnflagged } from '../../../src/model/shape.js';
import { realJsonBodies } from '../../support/fixture-samples.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const STRIPE_KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';

const redactor = new Redactor();

/** The leaf at the bottom of a deeply nested single-element array, found without recursion. */
function bottomOf(value: unknown): { leaf: unknown; depth: number } {
  let node = value;
  let depth = 0;
  while (Array.isArray(node)) {
    node = node[0];
    depth += 1;
  }
  return { leaf: node, depth };
}

describe('Redactor.redactHeaders', () => {
  it.each(DEFAULT_REDACTED_HEADERS.filter((name) => !['authorization', 'proxy-authorization', 'cookie', 'set-cookie'].includes(name)))(
    'replaces the whole value of the default header %s',
    (name) => {
      expect(redactor.redactHeaders({ [name]: 'abc123' })[name]).toBe(REDACTED);
    },
  );

  it.each(['authorization', 'proxy-authorization'])('keeps the scheme of %s and redacts the credentials', (name) => {
    const headers = redactor.redactHeaders({ [name]: 'Bearer abc.def.ghi' });
    expect(headers[name]).toBe('Bearer [REDACTED]');
    expect(redactor.redactHeaders({ [name]: 'Basic dXNlcjpwYXNz' })[name]).toBe('Basic [REDACTED]');
  });

  it('redacts an authorization value that has no scheme entirely', () => {
    expect(redactor.redactHeaders({ authorization: 'abc123secret' })['authorization']).toBe(REDACTED);
  });

  it('keeps cookie names but redacts every value of the cookie header', () => {
    expect(redactor.redactHeaders({ cookie: 'a=1; b=2' })['cookie']).toBe('a=[REDACTED]; b=[REDACTED]');
  });

  it('redacts only the value of each set-cookie, keeping name, attributes and array length', () => {
    const headers = redactor.redactHeaders({
      'set-cookie': ['session=abc; Path=/; HttpOnly', 'csrf=xyz; Secure', 'gone=; Max-Age=0'],
    });
    expect(headers['set-cookie']).toEqual([
      'session=[REDACTED]; Path=/; HttpOnly',
      'csrf=[REDACTED]; Secure',
      'gone=; Max-Age=0',
    ]);
  });

  it('redacts extra configured headers whatever their case', () => {
    const custom = new Redactor({ headers: ['X-Shop-Signature'] });
    const headers = custom.redactHeaders({ 'x-shop-signature': 't=1,v1=abc', 'content-type': 'application/json' });
    expect(headers).toEqual({ 'x-shop-signature': REDACTED, 'content-type': 'application/json' });
  });

  it('redacts secret-looking values of headers that are not on the list', () => {
    const headers = redactor.redactHeaders({
      'x-forwarded-token': `Bearer ${JWT}`,
      'x-debug': `key ${STRIPE_KEY} used`,
      location: 'https://app.example/cb#access_token=abc123&token_type=bearer',
    });
    expect(headers['x-forwarded-token']).toBe(REDACTED);
    expect(headers['x-debug']).toBe('key [REDACTED] used');
    expect(headers['location']).toBe('https://app.example/cb#access_token=[REDACTED]&token_type=bearer');
  });

  it('leaves ordinary headers alone and does not mutate its input', () => {
    const input = {
      'content-type': 'application/json; charset=utf-8',
      date: 'Mon, 01 Jan 2024 00:00:00 GMT',
      'x-request-id': '550e8400-e29b-41d4-a716-446655440000',
      authorization: 'Bearer abc',
    };
    const snapshot = structuredClone(input);
    const headers = redactor.redactHeaders(input);
    expect(input).toEqual(snapshot);
    expect(headers).toEqual({ ...snapshot, authorization: 'Bearer [REDACTED]' });
  });

  it('redacts a value by the header it is in, also when the same value came under another header, and past any number of values', () => {
    const own = new Redactor();
    const token = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    // The same value, first under a header that is not listed (redacted by its shape), then under
    // a listed one (redacted whole), then as an innocent value of another header.
    expect(own.redactHeaders({ 'x-note': token })['x-note']).toBe('[REDACTED]');
    expect(own.redactHeaders({ authorization: `Bearer ${token}` })['authorization']).toBe('Bearer [REDACTED]');
    expect(own.redactHeaders({ 'x-api-key': 'plain' })['x-api-key']).toBe('[REDACTED]');
    expect(own.redactHeaders({ 'x-label': 'plain' })['x-label']).toBe('plain');
    // Many more distinct values than are remembered: every one still answered right.
    for (let n = 0; n < 10_000; n++) {
      const headers = own.redactHeaders({ 'x-request-id': `req_${n}`, cookie: `sid=s${n}`, 'x-trace': n % 100 === 0 ? `ghp_${'a'.repeat(36)}` : `t${n}` });
      expect(headers['x-request-id']).toBe(`req_${n}`);
      expect(headers['cookie']).toBe('sid=[REDACTED]');
      expect(headers['x-trace']).toBe(n % 100 === 0 ? '[REDACTED]' : `t${n}`);
    }
  });
});

describe('DEFAULT_FIELD_PATTERN', () => {
  it.each([
    'password', 'passwd', 'secret', 'client_secret', 'clientSecret', 'client-secret', 'token', 'access_token',
    'accessToken', 'refresh_token', 'id_token', 'api_key', 'apiKey', 'api-key', 'APIKey', 'X-Api-Key',
    'card_number', 'cardNumber', 'card-number', 'card', 'cvc', 'cvv', 'cvv2', 'ssn', 'pan', 'PASSWORD',
    'new_password', 'password_confirmation', 'card[cvc]',
  ])('matches the secret field name %s', (name) => {
    expect(redactor.redactJson({ [name]: 'value' }).value).toEqual({ [name]: REDACTED });
  });

  it.each([
    'id', 'amount', 'status', 'transaction_id', 'txn_id', 'user_id', 'carrier', 'weight', 'sku', 'currency',
    'created_at', 'description', 'token_type', 'tokenType', 'expires_in', 'card_brand', 'cardBrand', 'card_last4',
    'cardLast4', 'last4', 'tokenizer_version', 'cvc_check', 'company',
  ])('does not match the innocent field name %s', (name) => {
    const input = { [name]: 'value' };
    expect(redactor.redactJson(input)).toEqual({ value: input, changed: false });
  });

  it('is exported as a regular expression source', () => {
    expect(() => new RegExp(DEFAULT_FIELD_PATTERN, 'i')).not.toThrow();
  });

  it('is replaced, not extended, by a configured field pattern', () => {
    const custom = new Redactor({ fields: '^pin_code$' });
    expect(custom.redactJson({ pinCode: '1234', password: 'x' }).value).toEqual({ pinCode: REDACTED, password: 'x' });
  });
});

describe('Redactor.redactJson', () => {
  it('keeps a string a string when redacting a password field', () => {
    expect(redactor.redactJson({ password: 'hunter2' })).toEqual({ value: { password: REDACTED }, changed: true });
  });

  it('turns a number under a secret field into 0 and keeps booleans and null', () => {
    const { value } = redactor.redactJson({ cvc: 123, pin: true, ssn: null });
    expect(value).toEqual({ cvc: 0, pin: true, ssn: null });
  });

  it('redacts every leaf of objects and arrays under a secret field, keeping keys and lengths', () => {
    const input = {
      id: 'ch_1',
      card: { brand: 'visa', last4: '4242', exp_month: 12, checks: { cvc: 'pass' }, wallet: null, three_d: true },
      tokens: ['a', 'b', ['c', 7]],
    };
    expect(redactor.redactJson(input).value).toEqual({
      id: 'ch_1',
      card: { brand: REDACTED, last4: REDACTED, exp_month: 0, checks: { cvc: REDACTED }, wallet: null, three_d: true },
      tokens: [REDACTED, REDACTED, [REDACTED, 0]],
    });
  });

  it('redacts a secret field found deep inside arrays of objects', () => {
    const input = { data: [{ id: 1, user: { name: 'bob', password: 'p' } }, { id: 2 }] };
    expect(redactor.redactJson(input).value).toEqual({
      data: [{ id: 1, user: { name: 'bob', password: REDACTED } }, { id: 2 }],
    });
  });

  it.each([
    ['a JWT', JWT],
    ['a bearer credential', 'Bearer 8f14e45fceea167a5a36dedd4bea2543'],
    ['a basic credential', 'Basic dXNlcjpwYXNz'],
    ['a Stripe test key', STRIPE_KEY],
    ['a Stripe live restricted key', 'rk_live_51H8abcDEF123'],
    ['a webhook secret', 'whsec_abcdef1234567890'],
    ['a spaced Luhn-valid card number', '4242 4242 4242 4242'],
    ['a Luhn-valid card number', '4242424242424242'],
    ['a dashed Amex number', '3782-822463-10005'],
  ])('redacts %s in a field with an innocent name', (_label, secret) => {
    expect(redactor.redactJson({ description: secret }).value).toEqual({ description: REDACTED });
  });

  it('cuts a secret out of a longer string and keeps the rest', () => {
    const { value } = redactor.redactJson({ message: 'paid with 4242 4242 4242 4242 using key sk_live_abcdef123456' });
    expect(value).toEqual({ message: 'paid with [REDACTED] using key [REDACTED]' });
  });

  it('redacts secret parameters of URLs and stringified JSON inside string values', () => {
    const { value } = redactor.redactJson({
      next: 'https://api.example/v1/items?page=2&access_token=abc123',
      body: '{"user":"bob","password":"hunter2"}',
    });
    expect(value).toEqual({
      next: 'https://api.example/v1/items?page=2&access_token=[REDACTED]',
      body: '{"user":"bob","password":"[REDACTED]"}',
    });
  });

  it('keeps a 16-digit number that fails the Luhn check', () => {
    const input = { reference: '4242424242424241', spaced: '4242 4242 4242 4241' };
    expect(redactor.redactJson(input)).toEqual({ value: input, changed: false });
  });

  it('does not take ordinary ids, dates, uuids, timestamps or words for secrets', () => {
    const input = {
      id: 'ch_3MmlLrLkdIwHu7ix0snN0B15',
      customer: 'cus_NffrFeUfNV2Hib',
      uuid: '550e8400-e29b-41d4-a716-446655440000',
      created_at: '2024-03-01T12:30:45.123Z',
      created_ms: '1700000000003',
      phone: '+1 415 555 2671',
      plan: 'Basic plan',
      note: 'Bearer authentication is required',
      description: 'Token exchange for the basic tier',
      amount: 1999,
      timestamp: 1700000000003,
    };
    expect(redactor.redactJson(input)).toEqual({ value: input, changed: false });
  });

  it('redacts a card number that arrives as a JSON number', () => {
    expect(redactor.redactJson({ reference: 4242424242424242 }).value).toEqual({ reference: 0 });
  });

  it('returns the very same value when nothing changed', () => {
    const input = { data: [{ id: 1, tags: ['a'] }], has_more: false };
    const result = redactor.redactJson(input);
    expect(result.changed).toBe(false);
    expect(result.value).toBe(input);
  });

  it('returns a scalar unchanged and redacts a scalar secret', () => {
    expect(redactor.redactJson(42)).toEqual({ value: 42, changed: false });
    expect(redactor.redactJson(null)).toEqual({ value: null, changed: false });
    expect(redactor.redactJson(JWT)).toEqual({ value: REDACTED, changed: true });
  });

  it('never mutates its input', () => {
    const input = { password: 'x', nested: { token: ['a', 'b'] }, list: [JWT] };
    const snapshot = structuredClone(input);
    redactor.redactJson(input);
    expect(input).toEqual(snapshot);
  });

  it('reports no change when run again on its own output', () => {
    const once = redactor.redactJson({ password: 'x', cvc: 123, note: JWT });
    expect(redactor.redactJson(once.value)).toEqual({ value: once.value, changed: false });
  });

  it('copies __proto__ keys as own data without polluting prototypes', () => {
    const input: unknown = JSON.parse('{"__proto__": {"polluted": 1}, "password": "x"}');
    const { value, changed } = redactor.redactJson(input);
    expect(changed).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":1},"password":"[REDACTED]"}');
  });

  it('redacts below constructor and prototype keys without touching Object.prototype', () => {
    const input: unknown = JSON.parse('{"constructor": {"prototype": {"token": "abc"}}}');
    const { value } = redactor.redactJson(input);
    expect(JSON.stringify(value)).toBe('{"constructor":{"prototype":{"token":"[REDACTED]"}}}');
    expect(({} as Record<string, unknown>)['token']).toBeUndefined();
  });

  it('walks 100,000 levels of nesting without overflowing the stack', () => {
    const depth = 100_000;
    const plain: unknown = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    expect(redactor.redactJson(plain)).toEqual({ value: plain, changed: false });

    const secret: unknown = JSON.parse(`${'['.repeat(depth)}"${STRIPE_KEY}"${']'.repeat(depth)}`);
    const result = redactor.redactJson(secret);
    expect(result.changed).toBe(true);
    expect(bottomOf(result.value)).toEqual({ leaf: REDACTED, depth });
    expect(bottomOf(secret).leaf).toBe(STRIPE_KEY);
  });

  it('returns a 64 KB body with nothing to redact as the very same object', () => {
    const items = Array.from({ length: 230 }, (_, i) => ({
      id: `ch_${i.toString(36).padStart(14, '0')}`,
      object: 'charge',
      amount: 1000 + i,
      currency: 'usd',
      status: 'succeeded',
      created: 1_700_000_000 + i,
      created_at: '2024-01-01T00:00:00Z',
      description: `Order #${i} for customer`,
      metadata: { order_id: `ord_${i}`, sku: `SKU-${i}` },
      card_brand: 'visa',
      card_last4: '4242',
      token_type: 'bearer',
    }));
    const text = JSON.stringify({ object: 'list', data: items, has_more: false });
    expect(text.length).toBeGreaterThan(64 * 1024);
    const body: unknown = JSON.parse(text);
    const result = redactor.redactJson(body);
    expect(result.changed).toBe(false);
    expect(result.value).toBe(body);
  });
});

describe('Redactor.redactText', () => {
  it('redacts the rest of a secret string cut off by truncation', () => {
    expect(redactor.redactText('{"user":"a","password":"hun')).toEqual({
      text: '{"user":"a","password":"[REDACTED]',
      changed: true,
    });
  });

  it('keeps the JSON type of secret values in JSON-ish text', () => {
    const { text } = redactor.redactText('{"cvc": 123, "token": "abc", "token_type": "bearer", "ok": true, "x');
    expect(text).toBe('{"cvc": 0, "token": "[REDACTED]", "token_type": "bearer", "ok": true, "x');
  });

  it('redacts every leaf of a secret container in JSON-ish text, even a truncated one', () => {
    const { text } = redactor.redactText('{"id":"ch_1","card":{"brand":"visa","exp":[12,2030]},"amount":5,"secret":{"k":"v');
    expect(text).toBe('{"id":"ch_1","card":{"brand":"[REDACTED]","exp":[0,0]},"amount":5,"secret":{"k":"[REDACTED]');
  });

  it('redacts secret fields of form bodies', () => {
    expect(redactor.redactText('username=bob&password=hunter2').text).toBe('username=bob&password=[REDACTED]');
  });

  it('redacts Stripe-style bracketed form fields, encoded or not', () => {
    const { text } = redactor.redactText('amount=100&card[number]=4000056655665556&card%5Bcvc%5D=314&card[exp_month]=12');
    expect(text).toBe('amount=100&card[number]=[REDACTED]&card%5Bcvc%5D=[REDACTED]&card[exp_month]=12');
  });

  it('redacts name=value pairs separated by semicolons or whitespace', () => {
    expect(redactor.redactText('user=bob; token=abc\napi_key=xyz q=1').text).toBe(
      'user=bob; token=[REDACTED]\napi_key=[REDACTED] q=1',
    );
  });

  it('redacts secret-looking values anywhere in plain text and keeps auth schemes', () => {
    const { text } = redactor.redactText(
      `Authorization: Bearer ${JWT}\ncard 4242-4242-4242-4242 key ${STRIPE_KEY} token ${JWT}`,
    );
    expect(text).toBe('Authorization: Bearer [REDACTED]\ncard [REDACTED] key [REDACTED] token [REDACTED]');
  });

  it('leaves prose about auth schemes and ordinary numbers alone', () => {
    const input = 'Use Basic auth or Bearer authentication. Order 1234 placed 2024-01-01, ref 4242424242424241.';
    expect(redactor.redactText(input)).toEqual({ text: input, changed: false });
  });

  it('returns the same text and no change for HTML without secrets', () => {
    const input = '<html><body><a href="/items?page=2">next</a></body></html>';
    expect(redactor.redactText(input)).toEqual({ text: input, changed: false });
  });

  it('redacts secrets in URLs inside HTML without eating the markup', () => {
    expect(redactor.redactText('<a href="/cb?code=1&access_token=abc">go</a>').text).toBe(
      '<a href="/cb?code=1&access_token=[REDACTED]">go</a>',
    );
  });
});

describe('Redactor.redactQueryString', () => {
  it('redacts secret parameters and keeps the others in order', () => {
    expect(redactor.redactQueryString('?api_key=abc&q=1')).toEqual({ search: '?api_key=[REDACTED]&q=1', changed: true });
  });

  it('accepts a search string without the leading question mark', () => {
    expect(redactor.redactQueryString('q=1&accessToken=abc').search).toBe('q=1&accessToken=[REDACTED]');
  });

  it('matches URL-encoded parameter names', () => {
    expect(redactor.redactQueryString('?card%5Bnumber%5D=4242&x=1').search).toBe('?card%5Bnumber%5D=[REDACTED]&x=1');
  });

  it('redacts secret-looking values of innocent parameters', () => {
    expect(redactor.redactQueryString(`?state=${JWT}&page=2`).search).toBe('?state=[REDACTED]&page=2');
    expect(redactor.redactQueryString('?note=Bearer%20abcdef0123456789').search).toBe('?note=[REDACTED]');
  });

  it('returns the same string when nothing changed', () => {
    const search = '?q=hello+world&page=2&token_type=bearer&flag';
    expect(redactor.redactQueryString(search)).toEqual({ search, changed: false });
    expect(redactor.redactQueryString('')).toEqual({ search: '', changed: false });
  });
});

describe('Redactor.looksSecret', () => {
  it.each([JWT, STRIPE_KEY, 'Bearer 8f14e45fceea167a', 'Basic dXNlcjpwYXNz', '4242424242424242', ' 5555 5555 5555 4444 '])(
    'says %s looks secret',
    (value) => {
      expect(redactor.looksSecret(value)).toBe(true);
    },
  );

  it.each([
    '', 'hello', 'ch_3MmlLrLkdIwHu7ix0snN0B15', '550e8400-e29b-41d4-a716-446655440000', '2024-01-01T00:00:00Z',
    '4242424242424241', '1700000000003', 'Basic plan', 'Bearer token', 'pk_test_51H8abcDEF123', 'eyJ',
    'sk_test_****4242',
  ])('says %s does not look secret', (value) => {
    expect(redactor.looksSecret(value)).toBe(false);
  });
});

describe('configured value patterns', () => {
  const custom = new Redactor({ values: ['ghp_[A-Za-z0-9]{36}', 'x*'] });
  const token = `ghp_${'a1B2'.repeat(9)}`;

  it('redacts matches of extra value patterns wherever they appear', () => {
    expect(custom.looksSecret(token)).toBe(true);
    expect(custom.redactJson({ note: token }).value).toEqual({ note: REDACTED });
    expect(custom.redactText(`token is ${token}.`).text).toBe('token is [REDACTED].');
    expect(custom.redactHeaders({ 'x-token': token })['x-token']).toBe(REDACTED);
  });

  it('ignores empty matches of an extra pattern', () => {
    expect(custom.redactText('abc')).toEqual({ text: 'abc', changed: false });
  });

  it('throws an error naming an invalid extra value pattern', () => {
    expect(() => new Redactor({ values: ['ok', 'sk_(live'] })).toThrowError(/values.*"sk_\(live"/);
  });

  it('throws an error naming an invalid field pattern', () => {
    expect(() => new Redactor({ fields: '[unclosed' })).toThrowError(/fields.*"\[unclosed"/);
  });
});

describe('redaction properties', () => {
  const token = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/);
  // Path steps: a short field name, or null for "inside an array".
  const path = fc.array(fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/), { nil: null }), { maxLength: 6 });

  function nest(steps: readonly (string | null)[], leaf: unknown): unknown {
    let value = leaf;
    for (const step of [...steps].reverse()) {
      value = step === null ? [value] : Object.fromEntries([[step, value]]);
    }
    return value;
  }

  it('never lets a password nested at any field path reach the output', () => {
    fc.assert(
      fc.property(path, token, (steps, secret) => {
        const input = nest(steps, { password: secret, id: 'x' });
        expect(JSON.stringify(redactor.redactJson(input).value)).not.toContain(secret);
      }),
    );
  });

  it('never lets a bearer token in an authorization header reach the output', () => {
    fc.assert(
      fc.property(token, (secret) => {
        const headers = redactor.redactHeaders({ authorization: `Bearer ${secret}`, 'proxy-authorization': `Basic ${secret}` });
        expect(JSON.stringify(headers)).not.toContain(secret);
      }),
    );
  });

  it('never lets a password in a form body or a query string reach the output', () => {
    fc.assert(
      fc.property(token, (secret) => {
        expect(redactor.redactText(`user=bob&password=${secret}`).text).not.toContain(secret);
        expect(redactor.redactText(`{"user":"bob","password":"${secret}`).text).not.toContain(secret);
        expect(redactor.redactQueryString(`?q=1&client_secret=${secret}`).search).not.toContain(secret);
      }),
    );
  });
});

describe('Redactor.inspector', () => {
  const secretKeys = ['password', 'api_key', 'clientSecret', 'Authorization', 'access-token', 'card[cvc]'];
  const secretStrings = [STRIPE_KEY, JWT, `Bearer ${'a1B2c3D4'.repeat(4)}`, '4242 4242 4242 4242', `token=${'x'.repeat(20)} in text`, `{"password": "hunter2"}`];
  const secretNumbers = [4242424242424242, 5555555555554444];

  /** Puts `leaf` (under `key`, when given) somewhere inside `value`, chosen by `path`. */
  function plant(value: unknown, route: readonly number[], key: string | undefined, leaf: unknown): unknown {
    const planted = key === undefined ? leaf : { [key]: leaf };
    if (route.length === 0 || typeof value !== 'object' || value === null) return Array.isArray(value) ? [...value, planted] : { value, planted };
    if (Array.isArray(value)) {
      if (value.length === 0) return [planted];
      const index = route[0]! % value.length;
      return value.map((item, i) => (i === index ? plant(item, route.slice(1), key, leaf) : item));
    }
    const keys = Object.keys(value);
    if (keys.length === 0) return { ...value, planted };
    const chosen = keys[route[0]! % keys.length]!;
    return { ...(value as Record<string, unknown>), [chosen]: plant((value as Record<string, unknown>)[chosen], route.slice(1), key, leaf) };
  }

  it('flags every body that redactJson would change, wherever the secret sits', () => {
    const leaf = fc.oneof(
      fc.constantFrom(...secretStrings).map((text) => ({ key: undefined as string | undefined, leaf: text as unknown })),
      fc.constantFrom(...secretNumbers).map((n) => ({ key: undefined as string | undefined, leaf: n as unknown })),
      fc.tuple(fc.constantFrom(...secretKeys), fc.oneof(fc.string(), fc.integer(), fc.jsonValue())).map(([key, value]) => ({ key, leaf: value })),
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.array(fc.nat(), { maxLength: 5 }), leaf, (value, route, secret) => {
        const body = JSON.parse(JSON.stringify(plant(value, route, secret.key, secret.leaf))) as unknown;
        const fresh = new Redactor();
        const changed = fresh.redactJson(body).changed;
        const flagged = shapeOfUnflagged(body, fresh.inspector) === undefined;
        if (changed) expect(flagged).toBe(true);
        // Asked again, from the remembered innocent strings: the same answer.
        expect(shapeOfUnflagged(body, fresh.inspector) === undefined).toBe(flagged);
      }),
      { numRuns: 300 },
    );
  });

  it('lets every JSON body of the real fixture files through that redactJson keeps as it is, and stops every one it changes', () => {
    const bodies = realJsonBodies().map((body) => body.value);
    expect(bodies.length).toBeGreaterThan(1000);
    let changedCount = 0;
    let kept = 0;
    let letThrough = 0;
    for (const body of bodies) {
      const changed = redactor.redactJson(body).changed;
      const flagged = shapeOfUnflagged(body, redactor.inspector) === undefined;
      if (changed) {
        changedCount += 1;
        expect(flagged).toBe(true);
      } else {
        kept += 1;
        if (!flagged) letThrough += 1;
      }
    }
    // The corpus holds real tokens and authorization headers: the rule is exercised, not vacuous.
    expect(changedCount).toBeGreaterThan(0);
    // Only a secret-named field with nothing to hide (null, true) stops a body redaction keeps.
    expect(letThrough / kept).toBeGreaterThan(0.9);
  });

  it('lets timestamps and UUIDs through at once, unless a configured pattern is to look at them', () => {
    const fresh = new Redactor();
    for (const plain of ['2026-12-02T10:36:35.123Z', '2026-12-02', '10:36', '2026-12-02 10:36:35+01:00', '3f2b8c1e-9d4a-4e6b-8f1c-2a7d5e9b0c31']) {
      expect(fresh.inspector.string(plain)).toBe(false);
    }
    // Close to a timestamp is not one: the full rules decide.
    expect(fresh.inspector.string(`2026-12-02T10:36:35Z ${STRIPE_KEY}`)).toBe(true);
    const configured = new Redactor({ values: ['2026-\\d\\d-\\d\\d'] });
    expect(configured.inspector.string('2026-12-02')).toBe(true);
  });
});
