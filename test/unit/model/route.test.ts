import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { RouteTemplate, isIdLikeSegment, normalizePath, routeOf } from '../../../src/model/route.js';

describe('normalizePath', () => {
  it.each([
    ['//v1//charges/', '/v1/charges'],
    ['', '/'],
    ['/', '/'],
    ['///', '/'],
    ['/v1/charges?limit=3', '/v1/charges'],
    ['/v1/charges/?limit=3#top', '/v1/charges'],
    ['/v1/charges#top', '/v1/charges'],
    ['v1/charges', '/v1/charges'],
    ['?a=1', '/'],
    ['/search/hello%20world', '/search/hello%20world'],
    ['https://api.example.com:8443/v1/charges/?x=1', '/v1/charges'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });

  it('does not percent-decode', () => {
    expect(normalizePath('/a%2Fb/c%3Fd')).toBe('/a%2Fb/c%3Fd');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (path) => {
        const once = normalizePath(path);
        expect(normalizePath(once)).toBe(once);
      }),
    );
  });
});

describe('isIdLikeSegment', () => {
  it.each([
    ['123', 'a number'],
    ['0', 'a single digit'],
    ['3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60', 'a v4 UUID'],
    ['3F1C2A9E-8B7D-1C6E-9F0A-1B2C3D4E5F60', 'an upper-case v1 UUID'],
    ['018f6b2e-1c2d-7abc-8def-0123456789ab', 'a v7 UUID'],
    ['507f1f77bcf86cd799439011', 'a Mongo ObjectId'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'a sha1 hex digest'],
    ['abcdefabcdefabcd', 'sixteen hex letters'],
    ['SHIP123', 'letters plus a digit run'],
    ['ORD-2024-0001', 'a dashed order number'],
    ['INV_0042', 'an underscored invoice number'],
    ['sku-88812', 'a lower-case SKU'],
    ['pi_3MtwBwLkdIwHu7ix28a3tqPa', 'a Stripe payment intent id'],
    ['ch_1NqkZ2', 'a short Stripe charge id'],
    ['cus_NffrFeUfNV2Hib', 'a Stripe customer id'],
    ['txn_1032HU2eZvKYlo2C', 'a Stripe transaction id'],
    ['cs_test_a1B2c3D4e5', 'a Stripe test-mode checkout session id'],
    ['acct_AbCdEfGh', 'a prefixed id with mixed case and no digit'],
    ['2026-04-17', 'a date'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'a ULID'],
    ['01arz3ndektsv4rrffq69g5fav', 'a lower-case ULID'],
    ['aZ3kQ9xLm2Pq7RtY', 'a 16-character base62 id'],
    ['AC0123456789abcdef0123456789abcdef', 'a Twilio-style SID'],
  ])('treats %j as an id (%s)', (segment) => {
    expect(isIdLikeSegment(segment)).toBe(true);
  });

  it.each([
    'v1', 'v2', 'v10', 'v100', 'v1.2', 'v2beta1', 'api', 'oauth2', 's3', 'ipv4', '2fa', 'me',
    'search', 'users', 'orders', 'health', 'healthz', 'openapi.json', 'graphql', 'charges',
    'shipments', 'page-2', 'kebab-case-words', 'snake_case_words', 'p95', 'e2e', 'h2',
    'sha256', 'x509', 'ed25519', 'hello%20world', 'api_version', 'internationalization',
    ':id', '*', '',
  ])('keeps %j literal', (segment) => {
    expect(isIdLikeSegment(segment)).toBe(false);
  });
});

describe('routeOf', () => {
  it('turns a numeric segment into a parameter', () => {
    expect(routeOf('/v1/charges/123')).toBe('/v1/charges/:id');
  });

  it('turns every id-like segment into a parameter', () => {
    expect(routeOf('/users/42/orders/7')).toBe('/users/:id/orders/:id');
  });

  it('turns a UUID of any version and case into a parameter', () => {
    expect(routeOf('/v1/payments/3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60')).toBe('/v1/payments/:id');
    expect(routeOf('/v1/payments/3F1C2A9E-8B7D-1C6E-9F0A-1B2C3D4E5F60')).toBe('/v1/payments/:id');
  });

  it('turns long hex into a parameter', () => {
    expect(routeOf('/items/507f1f77bcf86cd799439011')).toBe('/items/:id');
    expect(routeOf('/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709')).toBe('/commits/:id');
  });

  it.each(['SHIP123', 'ORD-2024-0001', 'INV_0042', 'sku-88812'])(
    'turns the business code %j into a parameter',
    (code) => {
      expect(routeOf(`/api/v1/things/${code}`)).toBe('/api/v1/things/:id');
    },
  );

  it.each([
    'pi_3MtwBwLkdIwHu7ix28a3tqPa',
    'ch_1NqkZ2',
    'cus_NffrFeUfNV2Hib',
    'txn_1032HU2eZvKYlo2C',
  ])('turns the Stripe-style id %j into a parameter', (id) => {
    expect(routeOf(`/v1/objects/${id}/refunds`)).toBe('/v1/objects/:id/refunds');
  });

  it('turns a date segment into a parameter', () => {
    expect(routeOf('/reports/2026-04-17/summary')).toBe('/reports/:id/summary');
  });

  it('turns ULIDs and long base62 ids into parameters', () => {
    expect(routeOf('/events/01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe('/events/:id');
    expect(routeOf('/tokens/aZ3kQ9xLm2Pq7RtYb4')).toBe('/tokens/:id');
  });

  it('keeps versions, words and short digit mixes literal', () => {
    expect(routeOf('/api/v1/oauth2/token')).toBe('/api/v1/oauth2/token');
    expect(routeOf('/v1.2/users/me')).toBe('/v1.2/users/me');
    expect(routeOf('/s3/ipv4/2fa/e2e/h2/p95')).toBe('/s3/ipv4/2fa/e2e/h2/p95');
    expect(routeOf('/healthz')).toBe('/healthz');
    expect(routeOf('/openapi.json')).toBe('/openapi.json');
    expect(routeOf('/graphql')).toBe('/graphql');
    expect(routeOf('/kebab-case-words/snake_case_words')).toBe('/kebab-case-words/snake_case_words');
  });

  it('keeps page-2 literal because one short number inside a word is vocabulary, not an id', () => {
    expect(routeOf('/posts/page-2')).toBe('/posts/page-2');
  });

  it('treats percent-encoded segments as text', () => {
    expect(routeOf('/search/hello%20world')).toBe('/search/hello%20world');
  });

  it('normalises the path first', () => {
    expect(routeOf('//v1//charges/')).toBe('/v1/charges');
    expect(routeOf('')).toBe('/');
    expect(routeOf('/v1/charges?limit=3')).toBe('/v1/charges');
    expect(routeOf('/v1/charges/123/?expand=customer')).toBe('/v1/charges/:id');
  });

  it('leaves an already-derived route unchanged', () => {
    expect(routeOf('/v1/charges/:id')).toBe('/v1/charges/:id');
  });

  it('is idempotent', () => {
    const segment = fc.oneof(
      fc.constantFrom('v1', 'users', 'SHIP123', '42', 'ch_1NqkZ2', 'page-2', ':id', 'a%20b'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (segments) => {
        const route = routeOf('/' + segments.join('/'));
        expect(routeOf(route)).toBe(route);
      }),
    );
  });

  describe('with templates', () => {
    const shipments = RouteTemplate.parse('/api/v1/shipments/:shipmentId');

    it('returns the matching template even when the segment is not id-like by itself', () => {
      expect(routeOf('/api/v1/shipments/abc', [shipments])).toBe('/api/v1/shipments/:shipmentId');
    });

    it('falls back to the heuristic when no template matches', () => {
      expect(routeOf('/api/v1/orders/123', [shipments])).toBe('/api/v1/orders/:id');
    });

    it('does not match paths with a different number of segments', () => {
      expect(routeOf('/api/v1/shipments/abc/events', [shipments])).toBe(
        '/api/v1/shipments/abc/events',
      );
      expect(routeOf('/api/v1/shipments', [shipments])).toBe('/api/v1/shipments');
    });

    it('matches any number of extra segments with a trailing star', () => {
      const files = RouteTemplate.parse('/files/*');
      expect(routeOf('/files/a/b/c', [files])).toBe('/files/*');
      expect(routeOf('/files', [files])).toBe('/files');
    });

    it('uses the first matching template', () => {
      const first = RouteTemplate.parse('/api/v1/shipments/:a');
      const second = RouteTemplate.parse('/api/v1/shipments/:b');
      expect(routeOf('/api/v1/shipments/x', [first, second])).toBe('/api/v1/shipments/:a');
      expect(routeOf('/api/v1/shipments/x', [second, first])).toBe('/api/v1/shipments/:b');
    });

    it('normalises the path before matching templates', () => {
      expect(routeOf('/api//v1/shipments/abc/?x=1', [shipments])).toBe(
        '/api/v1/shipments/:shipmentId',
      );
    });
  });
});

describe('RouteTemplate', () => {
  it('normalises the template text', () => {
    expect(RouteTemplate.parse('/api//v1/shipments/:id/').template).toBe('/api/v1/shipments/:id');
    expect(RouteTemplate.parse('/').template).toBe('/');
  });

  it('matches a derived route with the same parameter positions', () => {
    const template = RouteTemplate.parse('/api/v1/shipments/:id');
    expect(template.matches('/api/v1/shipments/:id')).toBe(true);
    expect(template.matches('/api/v1/shipments/:shipmentId')).toBe(true);
    expect(template.matches('/api/v1/orders/:id')).toBe(false);
  });

  it('matches concrete paths segment by segment', () => {
    const template = RouteTemplate.parse('/api/v1/shipments/:id');
    expect(template.matches('/api/v1/shipments/SHIP123')).toBe(true);
    expect(template.matches('/api/v1/shipments/SHIP123/')).toBe(true);
    expect(template.matches('/api/v1/shipments')).toBe(false);
    expect(template.matches('/api/v1/shipments/SHIP123/events')).toBe(false);
  });

  it('compares literal segments case-sensitively', () => {
    expect(RouteTemplate.parse('/api/v1/shipments/:id').matches('/API/v1/shipments/1')).toBe(false);
  });

  it('does not let a parameter of a route match a literal of the template', () => {
    expect(RouteTemplate.parse('/users/me').matches('/users/:id')).toBe(false);
  });

  it('matches one or more remaining segments with a final star', () => {
    const files = RouteTemplate.parse('/files/*');
    expect(files.matches('/files/a/b/c')).toBe(true);
    expect(files.matches('/files/a')).toBe(true);
    expect(files.matches('/files/:id')).toBe(true);
    expect(files.matches('/files')).toBe(false);
    expect(files.matches('/other/a')).toBe(false);
  });

  it('matches only the root with the root template', () => {
    const root = RouteTemplate.parse('/');
    expect(root.matches('')).toBe(true);
    expect(root.matches('/?x=1')).toBe(true);
    expect(root.matches('/a')).toBe(false);
  });

  it('rejects a template that does not start with a slash, naming it', () => {
    expect(() => RouteTemplate.parse('api/v1/shipments')).toThrow(/"api\/v1\/shipments".*start with '\/'/);
  });

  it('rejects a parameter without a name, naming the template', () => {
    expect(() => RouteTemplate.parse('/api/v1/shipments/:')).toThrow(/"\/api\/v1\/shipments\/:".*no name/);
  });

  it('rejects a star that is not the last segment', () => {
    expect(() => RouteTemplate.parse('/files/*/meta')).toThrow(/"\/files\/\*\/meta".*last segment/);
  });
});
