import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../src/capture/redactor.js';
import { SECRET_SHAPES } from '../../src/capture/secret-shapes.js';

/*
 * One test per provider shape: a freshly generated credential of that shape is redacted wherever
 * it sits — alone under an innocent JSON field, inside a sentence, in an innocent header, in an
 * innocent query parameter and in a URL path segment. The providers are those of secretlint's
 * recommended preset (rule by rule, listed below) plus Stripe and Vault.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const random = (length: number, alphabet = ALNUM): string => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
const upper = (length: number): string => random(length, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const digits = (length: number): string => random(length, '0123456789');
const hex = (length: number): string => random(length, '0123456789abcdef');

/** A sample generator per provider of {@link SECRET_SHAPES}, and the secretlint rule it stands for. */
const SAMPLES: Record<string, { rule: string; sample: () => string }> = {
  'AWS access key id': { rule: '@secretlint/secretlint-rule-aws', sample: () => `AKIA${upper(16)}` },
  'GCP API key': { rule: '@secretlint/secretlint-rule-gcp', sample: () => `AIza${random(35)}` },
  'GCP OAuth client secret': { rule: '@secretlint/secretlint-rule-gcp', sample: () => `GOCSPX-${random(28)}` },
  'Google OAuth access token': { rule: '@secretlint/secretlint-rule-gcp', sample: () => `ya29.${random(60)}` },
  'GitHub token': { rule: '@secretlint/secretlint-rule-github', sample: () => `gh${'pousr'[randomInt(5)]}_${random(36)}` },
  'GitHub fine-grained token': { rule: '@secretlint/secretlint-rule-github', sample: () => `github_pat_${random(22)}_${random(59)}` },
  'GitLab token': { rule: '@secretlint/secretlint-rule-gitlab', sample: () => `${['glpat', 'gldt', 'glrt', 'glptt', 'gloas'][randomInt(5)]}-${random(20)}` },
  'GitLab runner registration token': { rule: '@secretlint/secretlint-rule-gitlab', sample: () => `GR1348941${random(20)}` },
  'Slack token': { rule: '@secretlint/secretlint-rule-slack', sample: () => `xox${'bpar'[randomInt(4)]}-${digits(12)}-${digits(13)}-${random(24)}` },
  'Slack app token': { rule: '@secretlint/secretlint-rule-slack', sample: () => `xapp-1-A${upper(10)}-${digits(13)}-${hex(64)}` },
  'Slack webhook': { rule: '@secretlint/secretlint-rule-slack', sample: () => `https://hooks.slack.com/services/T${upper(8)}/B${upper(8)}/${random(24)}` },
  'npm token': { rule: '@secretlint/secretlint-rule-npm', sample: () => `npm_${random(36)}` },
  'OpenAI key': { rule: '@secretlint/secretlint-rule-openai', sample: () => `sk-proj-${random(48)}_${random(20)}` },
  'OpenAI legacy key': { rule: '@secretlint/secretlint-rule-openai', sample: () => `sk-${random(20)}T3BlbkFJ${random(20)}` },
  'OpenAI-style key': { rule: '@secretlint/secretlint-rule-openai', sample: () => `sk-${random(48)}` },
  'Anthropic key': { rule: '@secretlint/secretlint-rule-anthropic', sample: () => `sk-ant-api03-${random(93)}AA` },
  'SendGrid key': { rule: '@secretlint/secretlint-rule-sendgrid', sample: () => `SG.${random(22)}.${random(43)}` },
  'Shopify token': { rule: '@secretlint/secretlint-rule-shopify', sample: () => `shp${['at', 'ca', 'pa', 'ss'][randomInt(4)]}_${hex(32)}` },
  'Linear key': { rule: '@secretlint/secretlint-rule-linear', sample: () => `lin_api_${random(40)}` },
  '1Password service account token': { rule: '@secretlint/secretlint-rule-1password', sample: () => `ops_eyJ${random(120)}` },
  'HashiCorp Vault token': { rule: '(beyond the preset)', sample: () => `hvs.${random(90)}` },
  'Stripe key': { rule: '(beyond the preset)', sample: () => `${['sk_live', 'sk_test', 'rk_live', 'whsec'][randomInt(4)]}_${random(24)}` },
  'private key': {
    rule: '@secretlint/secretlint-rule-privatekey',
    sample: () => `-----BEGIN ${['RSA ', 'EC ', 'OPENSSH ', ''][randomInt(4)]}PRIVATE KEY-----\n${random(64)}\n${random(64)}\n-----END PRIVATE KEY-----`,
  },
  'basic auth in a URL': { rule: '@secretlint/secretlint-rule-basicauth', sample: () => `https://admin:${random(20)}@db.internal.example/x` },
};

/** The rules of @secretlint/secretlint-rule-preset-recommend that detect credential values. */
const PRESET_RULES = [
  '@secretlint/secretlint-rule-aws',
  '@secretlint/secretlint-rule-gcp',
  '@secretlint/secretlint-rule-privatekey',
  '@secretlint/secretlint-rule-npm',
  '@secretlint/secretlint-rule-basicauth',
  '@secretlint/secretlint-rule-slack',
  '@secretlint/secretlint-rule-sendgrid',
  '@secretlint/secretlint-rule-shopify',
  '@secretlint/secretlint-rule-github',
  '@secretlint/secretlint-rule-gitlab',
  '@secretlint/secretlint-rule-openai',
  '@secretlint/secretlint-rule-anthropic',
  '@secretlint/secretlint-rule-linear',
  '@secretlint/secretlint-rule-1password',
];

const redactor = new Redactor();

/** The part of a sample that must be gone: all of it, or the password of a URL. */
function secretPart(provider: string, sample: string): string {
  return provider === 'basic auth in a URL' ? sample.slice(sample.indexOf(':', 6) + 1, sample.indexOf('@')) : sample;
}

describe('provider credential shapes', () => {
  it('has a sample for every shape, and a shape for every credential rule of secretlint\'s recommended preset', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(SECRET_SHAPES.map((shape) => shape.provider).sort());
    const covered = new Set(Object.values(SAMPLES).map((entry) => entry.rule));
    expect(PRESET_RULES.filter((rule) => !covered.has(rule))).toEqual([]);
    expect(SECRET_SHAPES).toHaveLength(24);
  });

  for (const shape of SECRET_SHAPES) {
    it(`${shape.provider}: redacted under an innocent field, in text, in a header, a query parameter and a path segment`, () => {
      const sampleOf = SAMPLES[shape.provider]!.sample;
      for (let run = 0; run < 20; run += 1) {
        const sample = sampleOf();
        const secret = secretPart(shape.provider, sample);
        const places = [
          JSON.stringify(redactor.redactJson({ note: sample, label: 'ok' }).value),
          redactor.redactText(`see ${sample} here`).text,
          JSON.stringify(redactor.redactHeaders({ 'x-note': sample })),
          redactor.redactQueryString(`?q=${encodeURIComponent(sample)}&page=2`).search,
          redactor.redactPath(`/v1/things/${encodeURIComponent(sample)}/view`),
        ];
        const leaked = places.filter((place) => place.includes(secret) || place.includes(encodeURIComponent(secret)));
        expect(leaked, sample).toEqual([]);
        expect(places.every((place) => place.includes(REDACTED))).toBe(true);
      }
    });
  }

  it('leaves look-alikes alone: ids, words, publishable keys, hashes and ordinary URLs (9 values)', () => {
    const innocent = [
      'pk_live_51H8abcDEF123',
      'ch_3MtwBwLkdIwHu7ix28a3tqPa',
      'sketch-proj-notes',
      'AKIA',
      'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2',
      'https://example.com/v1/items?page=2',
      'ghp_short',
      'xox',
      'The BEGIN PRIVATE KEY section of the manual',
    ];
    expect(innocent.map((value) => redactor.redactText(value).text)).toEqual(innocent);
  });
});

describe('credential names for headers and query parameters', () => {
  const headers = ['x-stripe-key', 'private-token', 'x-goog-api-key', 'x-amz-security-token', 'x-vault-token', 'x-access-token', 'x-csrf-token', 'x-session', 'x-hub-signature', 'x-client-secret'];
  it(`redacts ${headers.length} credential headers outside the fixed list, whatever their value`, () => {
    const redacted = redactor.redactHeaders(Object.fromEntries(headers.map((name) => [name, `v${random(20)}`])));
    expect(Object.values(redacted)).toEqual(headers.map(() => REDACTED));
  });

  it('keeps ordinary headers (content-type, accept, www-authenticate, x-request-id, etag)', () => {
    const ordinary = { 'content-type': 'application/json', accept: '*/*', 'www-authenticate': 'Bearer realm="api"', 'x-request-id': 'req_123', etag: 'W/"1"' };
    expect({ ...redactor.redactHeaders(ordinary) }).toEqual(ordinary);
  });

  const params = ['key', 'sig', 'signature', 'X-Amz-Signature', 'code', 'access_token', 'session', 'X-Amz-Credential', 'X-Amz-Security-Token'];
  it(`redacts ${params.length} credential query parameters and keeps page, sort and q`, () => {
    const query = `?${params.map((name) => `${name}=v${random(16)}`).join('&')}&page=2&sort=asc&q=shoes`;
    const redacted = redactor.redactQueryString(query).search;
    expect(redacted).toBe(`?${params.map((name) => `${name}=${REDACTED}`).join('&')}&page=2&sort=asc&q=shoes`);
  });
});
